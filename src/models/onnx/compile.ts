import { FacekitError } from '../../errors/index.ts';
import type { TfGraphModel } from '../tfjs/types.ts';

/** Bumped whenever compiled output can change, so cached models are rebuilt. */
export const COMPILER_VERSION = 0;

export interface CompileOptions {
  /** cut the graph at these node names instead of its natural outputs */
  outputs?: string[];
  /** name to give the (single) graph input */
  inputName?: string;
}

// Placeholder until the compiler lands.
export function compileTfGraph(model: TfGraphModel, _opts: CompileOptions = {}): Uint8Array {
  throw new FacekitError('UNSUPPORTED_OP', `model ${model.name}: the TF.js-to-ONNX compiler is not built yet`);
}
