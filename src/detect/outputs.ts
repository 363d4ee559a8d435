import { FacekitError } from '../errors/index.js';
import type { TensorData } from '../runtime/session.js';

/**
 * Compiled graphs name their outputs after TF nodes (Identity_2:0, ...), which is fragile; the
 * decoders find outputs by shape instead, as Human does for BlazeFace.
 */
export function outputByShape(out: Record<string, TensorData>, model: string, match: (dims: readonly number[]) => boolean, what: string): Float32Array {
  const hit = Object.values(out).find((t) => match(t.dims));
  if (!hit) {
    const seen = Object.entries(out).map(([k, t]) => `${k}[${t.dims.join(',')}]`).join(', ');
    throw new FacekitError('INTERNAL', `model ${model}: no output shaped like ${what} (outputs: ${seen})`);
  }
  return hit.data as Float32Array;
}
