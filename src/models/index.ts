import { getSession, type ModelSession, type SessionOptions } from '../runtime/session.ts';
import { ensureBuilt } from './build.ts';
import { getModelRecord } from './registry.ts';
import type { ModelRecord } from './types.ts';

export { listModels, getModelRecord } from './registry.ts';
export { ensureBuilt, isBuilt, cacheDir } from './build.ts';
export type { ModelRecord, ModelTask, ModelInput, ModelSource } from './types.ts';

export interface LoadedModel {
  record: ModelRecord;
  session: ModelSession;
}

/** The one way stages get a model: registry record + a reusable ORT session. */
export async function loadModel(id: string, opts: SessionOptions = {}): Promise<LoadedModel> {
  const record = getModelRecord(id);
  const session = await getSession(id, async () => ensureBuilt(record).path, opts);
  return { record, session };
}
