/**
 * Training runs on TensorFlow.js, which recognition never uses. The installed package does not
 * depend on it: the training code is imported here, when a training call needs it, and a missing
 * TensorFlow.js becomes one clear error saying what to install.
 */
import { FacekitError } from '../errors/index.js';

export const TFJS_PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'] as const;

function missingTfjs(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === 'ERR_MODULE_NOT_FOUND' && TFJS_PACKAGES.some((p) => err.message?.includes(`'${p}`));
}

/** Imports a training module; TensorFlow.js absent is MISSING_DEPENDENCY naming the install line. */
export async function loadTrainingModule<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (missingTfjs(e)) {
      throw new FacekitError('MISSING_DEPENDENCY', `training needs TensorFlow.js, which facekit does not install for recognition: npm install ${TFJS_PACKAGES.map((p) => `${p}@4`).join(' ')}`);
    }
    throw e;
  }
}
