import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';

// tfjs-core's node bundle registers no gradients (the full tfjs bundle does). Its
// register_all_gradients is an ESM file with extensionless imports that Node's ESM resolver
// rejects; loaded through require (tsx compiles it), it resolves, and it registers into the same
// global registry the engine reads.
createRequire(import.meta.url)('@tensorflow/tfjs-core/dist/register_all_gradients.js');

/**
 * Training runs on tfjs's pure-JS cpu backend: it is deterministic (same seed, same numbers) and
 * needs no native build. Call once before training.
 */
export async function useCpuBackend(): Promise<void> {
  if (tf.getBackend() !== 'cpu') {
    await tf.setBackend('cpu');
  }
  await tf.ready();
}
