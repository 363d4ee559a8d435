/**
 * Which folders were clustered for a gallery, so `facekit cluster name ID NAME --db FILE` can find
 * cluster ID without being told the folder again. For a SQLite gallery the list sits beside the
 * database (`<FILE>.folders.json`); for PostgreSQL in the facekit cache folder, named by a digest
 * of the URL. Each entry keeps the face options the folder was clustered with, since cluster
 * state is kept per embedding configuration.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cacheDir } from '../models/index.js';
import type { FaceOptions } from '../pipeline/index.js';
import { writeFileAtomic } from '../write-file-atomic.js';

export interface RegisteredFolder {
  root: string;
  cacheDir?: string;
  options: Pick<FaceOptions, 'model' | 'detector' | 'detect' | 'align' | 'flip' | 'scoreThreshold' | 'minFaceSize' | 'maxFaces'>;
}

interface Registry { format: 'facekit-cluster-folders'; version: 1; folders: RegisteredFolder[] }

export function registryPath(db: string): string {
  if (/^postgres(ql)?:\/\//i.test(db)) return join(cacheDir(), 'cluster-folders', `${createHash('sha256').update(db).digest('hex').slice(0, 16)}.json`);
  return `${resolve(db.startsWith('sqlite:') ? db.slice('sqlite:'.length) : db)}.folders.json`;
}

export function registeredFolders(db: string): RegisteredFolder[] {
  const p = registryPath(db);
  if (!existsSync(p)) return [];
  try {
    const r = JSON.parse(readFileSync(p, 'utf8')) as Registry;
    return Array.isArray(r.folders) ? r.folders : [];
  } catch {
    return [];
  }
}

export function registerFolder(db: string, entry: RegisteredFolder): void {
  const o = entry.options;
  const options: RegisteredFolder['options'] = Object.fromEntries(
    (['model', 'detector', 'detect', 'align', 'flip', 'scoreThreshold', 'minFaceSize', 'maxFaces'] as const).filter((k) => o[k] !== undefined).map((k) => [k, o[k]]),
  );
  const rest = registeredFolders(db).filter((f) => !(f.root === entry.root && JSON.stringify(f.options) === JSON.stringify(options)));
  const reg: Registry = { format: 'facekit-cluster-folders', version: 1, folders: [...rest, { ...entry, options }] };
  writeFileAtomic(registryPath(db), JSON.stringify(reg, null, 1) + '\n');
}
