import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FacekitError } from '../errors/index.js';
import type { ModelRecord } from './types.js';

/**
 * The registry is the JSON files in ./records (one per source package). Adding a model is adding
 * a record there; code reads only these fields.
 */
const recordsDir = join(dirname(fileURLToPath(import.meta.url)), 'records');

let cache: Map<string, ModelRecord> | undefined;

function load(): Map<string, ModelRecord> {
  if (cache) return cache;
  const m = new Map<string, ModelRecord>();
  for (const f of readdirSync(recordsDir).filter((f) => f.endsWith('.json')).sort()) {
    const list = JSON.parse(readFileSync(join(recordsDir, f), 'utf8')) as ModelRecord[];
    for (const r of list) {
      if (m.has(r.id)) throw new FacekitError('INTERNAL', `model id ${r.id} is defined twice (in ${f})`);
      m.set(r.id, r);
    }
  }
  cache = m;
  return m;
}

export function listModels(): ModelRecord[] {
  return [...load().values()];
}

export function getModelRecord(id: string): ModelRecord {
  const r = load().get(id);
  if (!r) {
    throw new FacekitError('MODEL_NOT_FOUND', `unknown model "${id}"; known models: ${[...load().keys()].join(', ')}`);
  }
  return r;
}
