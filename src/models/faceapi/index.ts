import { FacekitError } from '../../errors/index.ts';
import type { TfGraphModel } from '../tfjs/types.ts';

// Placeholder until the face-api network builders land.
export function buildFaceApiGraph(arch: string, manifestPath: string, name: string): TfGraphModel {
  throw new FacekitError('UNSUPPORTED_OP', `model ${name}: face-api architecture "${arch}" is not built yet (${manifestPath})`);
}
