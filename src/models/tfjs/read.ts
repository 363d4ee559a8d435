import { FacekitError } from '../../errors/index.ts';
import type { TfGraphModel } from './types.ts';

// Placeholder until the graph reader lands: reports clearly instead of failing obscurely.
export function readTfjsGraphModel(modelJsonPath: string, name: string): TfGraphModel {
  throw new FacekitError('UNSUPPORTED_OP', `model ${name}: the TF.js graph reader is not built yet (${modelJsonPath})`);
}
