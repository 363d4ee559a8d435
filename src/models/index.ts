import { getSession, type ModelSession, type SessionOptions } from '../runtime/session.js';
import { join } from 'node:path';
import { cacheDir, ensureBuilt } from './build.js';
import { getModelRecord } from './registry.js';
import type { ModelRecord } from './types.js';

export { listModels, getModelRecord } from './registry.js';
export { ensureBuilt, isBuilt, cacheDir, onnxPath } from './build.js';
export type { ModelRecord, ModelTask, ModelInput, ModelSource } from './types.js';

export interface LoadedModel {
  record: ModelRecord;
  session: ModelSession;
}

/** The one way stages get a model: registry record + a reusable ORT session. */
export async function loadModel(id: string, opts: SessionOptions = {}): Promise<LoadedModel> {
  const record = getModelRecord(id);
  const session = await getSession(id, async () => (await ensureBuilt(record)).path, { optimisedDir: join(cacheDir(), 'ort'), ...opts });
  return { record, session };
}
