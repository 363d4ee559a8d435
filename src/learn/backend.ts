import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { require as tsxRequire } from 'tsx/cjs/api';
import { FacekitError } from '../errors/index.js';

// tfjs-core's node bundle registers no gradients (the full tfjs bundle does). Its
// register_all_gradients is an ESM file with extensionless imports that Node's ESM resolver
// rejects; loaded through tsx's require (which compiles it to CommonJS), it resolves, and it
// registers into the same global registry the engine reads. tsx's require works whether or not
// the process was started with tsx's CommonJS hook (bin/facekit.js installs only the ESM one).
tsxRequire('@tensorflow/tfjs-core/dist/register_all_gradients.js', import.meta.url);

export type TrainingBackend = 'cpu' | 'wasm';

/**
 * Training runs on tfjs's pure-JS cpu backend (deterministic, no native build) or on its wasm
 * backend (XNNPACK matmuls, several times faster for the CNN; single-threaded here, so also
 * repeatable run to run). Call once before training.
 */
export async function useBackend(name: TrainingBackend): Promise<void> {
  // prod mode: no "install tfjs-node" banner on the first cpu tensor, no per-op debug checks
  tf.enableProdMode();
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new FacekitError('INTERNAL', `tfjs backend ${name} failed to initialise`);
  }
  await tf.ready();
}

export async function useCpuBackend(): Promise<void> {
  await useBackend('cpu');
}
