import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { register } from 'node:module';
import { FacekitError } from '../errors/index.js';
import { siblingModule } from '../runtime/module-entry.js';

// tfjs-core's node bundle registers no gradients (the full tfjs bundle does). Its
// register_all_gradients is an ES module file with extensionless imports in a package that does
// not declare ES modules, which Node rejects; tfjs-esm-hooks lets Node load it, and it registers
// into the same global registry the engine reads.
register(siblingModule('tfjs-esm-hooks', import.meta.url));
await import('@tensorflow/tfjs-core/dist/register_all_gradients.js' as string);

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
