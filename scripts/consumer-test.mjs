#!/usr/bin/env node
// The package as a user gets it: `npm pack`, then in a fresh project outside this checkout, with
// npm's default settings and no network (the local npm cache only): install the tarball, and
//   (a) a plain .mjs file imports { verify, openGallery, enroll, identify } from 'facekit',
//       verifies two photos and identifies one against a gallery; another verifies through
//       createService, whose inference workers must start from the installed files;
//   (b) a strict TypeScript project (module/moduleResolution nodenext) type-checks and emits a
//       file using the public API, with zero errors;
//   (c) `npx facekit --version` and `npx facekit verify A B --json` work there;
//   (d) the tarball holds no tests, benchmarks, CI files or sources.
// Prints one line per check and 'N passed, N failed'; exits 1 when any failed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'facekit-consumer-'));
const app = join(work, 'app');
mkdirSync(app);
const results = [];
const check = (name, fn) => {
  try {
    const detail = fn();
    results.push(true);
    console.log(`ok - ${name}${detail ? `: ${detail}` : ''}`);
  } catch (e) {
    results.push(false);
    console.log(`not ok - ${name}\n${String(e.stderr ?? '')}${String(e.stdout ?? '')}${e.message}`);
  }
};

// npm as a user runs it: none of this checkout's .npmrc settings, no npm_config_* from a parent npm
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'ONNXRUNTIME_NODE_INSTALL'));
userEnv.FACEKIT_CACHE_DIR = join(work, 'cache');
const npm = (args, cwd) => execFileSync('npm', args, { cwd, env: userEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });

console.log('# npm pack');
const packOut = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 << 20 });
// prepack's own lines come first on stdout; npm's JSON report is the array at the end
const packed = JSON.parse(packOut.slice(packOut.search(/^\[/m)));
const tarball = join(work, packed[0].filename);
const files = packed[0].files.map((f) => f.path);
console.log(`# ${packed[0].filename}: ${(packed[0].size / 1e6).toFixed(1)} MB packed, ${(packed[0].unpackedSize / 1e6).toFixed(1)} MB unpacked, ${files.length} files`);

check('(d) the tarball holds no tests, benchmarks, CI files or TypeScript sources', () => {
  // facekit's own files (the bundled onnxruntime-node is as its authors publish it)
  const own = files.filter((f) => !f.startsWith('node_modules/'));
  const bad = own.filter((f) => /^(test|bench|docs|scripts|\.ci|src)\//.test(f) || /\.test\.[jt]s$/.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')));
  if (bad.length) throw new Error(`unexpected files: ${bad.slice(0, 10).join(', ')}`);
  for (const need of ['dist/index.js', 'dist/index.d.ts', 'bin/facekit.js', 'weights/manifest.json']) {
    if (!files.includes(need)) throw new Error(`missing ${need}`);
  }
});

// photos: cut from the face-api demo picture with this checkout's sharp (the app has neither)
const sharp = createRequire(join(root, 'package.json'))('sharp');
const demo = join(root, 'node_modules/@vladmandic/face-api/demo/sample1.jpg');
const cut = (name, left, top) => sharp(demo).extract({ left, top, width: 640, height: 480 }).jpeg({ quality: 90 }).toFile(join(work, name));
await cut('a.jpg', 180, 230);
await cut('a2.jpg', 200, 250); // the same person, framed differently
await cut('b.jpg', 620, 300);

console.log('# npm install (defaults, offline)');
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'facekit-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2));
// npm ci leaves tarballs but no registry metadata in the cache: a first install in another folder,
// scripts off, fills it; the real one then runs with the network cut (a new network namespace
// where the machine allows one, else npm's --offline), so no install step can reach out
const deps = [tarball, 'typescript@5.9', '@types/node@20'];
const warm = join(work, 'warm');
mkdirSync(warm);
writeFileSync(join(warm, 'package.json'), '{"name":"warm","version":"1.0.0","private":true}');
npm(['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', ...deps], warm);
const noNetwork = spawnSync('unshare', ['--net', 'true']).status === 0;
const t0 = performance.now();
check(`npm install <tarball> with default settings, ${noNetwork ? 'no network (unshare --net)' : 'npm --offline'}`, () => {
  const args = ['install', '--offline', '--no-audit', '--no-fund', ...deps];
  if (noNetwork) execFileSync('unshare', ['--net', 'npm', ...args], { cwd: app, env: userEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  else npm(args, app);
  // what facekit itself installs: the test's own typescript and @types/node left out
  const du = spawnSync('du', ['-sh', '--exclude=typescript', '--exclude=@types', 'node_modules'], { cwd: app, encoding: 'utf8' }).stdout.split('\t')[0];
  return `${((performance.now() - t0) / 1000).toFixed(0)} s; facekit's install: node_modules ${du}`;
});

const photo = (n) => JSON.stringify(join(work, n));
writeFileSync(join(app, 'use.mjs'), `import { verify, openGallery, enroll, identify } from 'facekit';
const same = await verify(${photo('a.jpg')}, ${photo('a2.jpg')});
const other = await verify(${photo('a.jpg')}, ${photo('b.jpg')});
const gallery = await openGallery(${photo('people.db')});
await enroll(gallery, 'A', [${photo('a.jpg')}]);
await enroll(gallery, 'B', [${photo('b.jpg')}]);
const who = await identify(gallery, ${photo('a2.jpg')});
await gallery.close();
console.log(JSON.stringify({ same: same.verified, other: other.verified, name: who.faces[0]?.match?.name ?? null }));
`);
check('(a) plain .mjs: verify two photos, identify one against a gallery', () => {
  const out = JSON.parse(execFileSync(process.execPath, ['use.mjs'], { cwd: app, env: userEnv, encoding: 'utf8' }));
  if (out.same !== true || out.other !== false || out.name !== 'A') throw new Error(`unexpected answer ${JSON.stringify(out)}`);
  return JSON.stringify(out);
});

writeFileSync(join(app, 'service.mjs'), `import { readFile } from 'node:fs/promises';
import { createService } from 'facekit';
// the face service's inference workers start on a sibling module of the installed package
const faces = await createService({ db: ':memory:', workers: 2 });
try {
  const [a, a2, b] = await Promise.all([${photo('a.jpg')}, ${photo('a2.jpg')}, ${photo('b.jpg')}].map((p) => readFile(p)));
  const same = await faces.verify(a, a2);
  const other = await faces.verify(a, b);
  console.log(JSON.stringify({ same: same.verified, other: other.verified }));
} finally {
  await faces.close();
}
`);
check('(a) createService: verify on the inference workers of the installed package', () => {
  const out = JSON.parse(execFileSync(process.execPath, ['service.mjs'], { cwd: app, env: userEnv, encoding: 'utf8' }));
  if (out.same !== true || out.other !== false) throw new Error(`unexpected answer ${JSON.stringify(out)}`);
  return JSON.stringify(out);
});

check('(a) require(\'facekit\') gives the library (Node >= 20.19 loads ES modules from require)', () => {
  const out = execFileSync(process.execPath, ['-e', "const f = require('facekit'); process.stdout.write(typeof f.verify + ' ' + typeof f.identify)"], { cwd: app, env: userEnv, encoding: 'utf8' });
  if (out !== 'function function') throw new Error(out);
});

writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
  compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, outDir: 'out', skipLibCheck: false, types: ['node'] },
  include: ['use.ts'],
}, null, 2));
writeFileSync(join(app, 'use.ts'), `import { verify, openGallery, enroll, identify, createService, FacekitError, type VerifyResult, type IdentifyResult, type FaceService } from 'facekit';

export async function viaService(a: Buffer, b: Buffer): Promise<boolean | null> {
  const faces: FaceService = await createService({ db: ':memory:' });
  try {
    return (await faces.verify(a, b)).verified;
  } finally {
    await faces.close?.();
  }
}

export async function check(a: string, b: string, db: string): Promise<[VerifyResult, IdentifyResult]> {
  const r: VerifyResult = await verify(a, b, { metric: 'cosine' });
  const gallery = await openGallery(db);
  try {
    await enroll(gallery, 'A', [a]);
    return [r, await identify(gallery, b)];
  } catch (e) {
    if (e instanceof FacekitError) console.error(e.code, e.message);
    throw e;
  } finally {
    await gallery.close();
  }
}
`);
check('(b) strict TypeScript (nodenext, no skipLibCheck) type-checks and emits with zero errors', () => {
  execFileSync(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app, env: userEnv, encoding: 'utf8' });
  readFileSync(join(app, 'out/use.js'));
});

check('(c) npx facekit --version', () => {
  const v = npm(['exec', '--offline', '--', 'facekit', '--version'], app).trim();
  const want = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  if (v !== want) throw new Error(`printed ${v}, package is ${want}`);
  return v;
});
check('(c) npx facekit verify A B --json', () => {
  const r = JSON.parse(npm(['exec', '--offline', '--', 'facekit', 'verify', join(work, 'a.jpg'), join(work, 'a2.jpg'), '--json'], app));
  if (r.verified !== true || typeof r.distance !== 'number') throw new Error(JSON.stringify(r));
  return `verified ${r.verified}, distance ${r.distance}`;
});

const passed = results.filter(Boolean).length;
console.log(`consumer: ${passed} passed, ${results.length - passed} failed`);
if (passed === results.length) rmSync(work, { recursive: true, force: true });
else console.log(`# left for a look: ${work}`);
process.exit(passed === results.length ? 0 : 1);
