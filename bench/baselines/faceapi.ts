import { join } from 'node:path';
import { packageDir } from '../../src/models/package-files.ts';
import type { RgbImage } from '../../src/image/types.ts';
import type { Baseline, BaselineFace } from './types.ts';

/**
 * @vladmandic/face-api on TF.js WASM: SSD-MobileNetV1 + 68 landmarks + the 128-d ResNet
 * descriptor, compared with euclidean distance as face-api documents (match under 0.6).
 */
export function faceapiBaseline(): Baseline {
  let faceapi: any;
  return {
    name: '@vladmandic/face-api',
    metric: 'euclidean',
    async init() {
      faceapi = await import('@vladmandic/face-api/dist/face-api.node-wasm.js');
      const wasm: any = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(`${join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist')}/`);
      await faceapi.tf.setBackend('wasm');
      await faceapi.tf.ready();
      const dir = join(packageDir('@vladmandic/face-api'), 'model');
      await faceapi.nets.ssdMobilenetv1.loadFromDisk(dir);
      await faceapi.nets.faceLandmark68Net.loadFromDisk(dir);
      await faceapi.nets.faceRecognitionNet.loadFromDisk(dir);
    },
    async describe(image: RgbImage): Promise<BaselineFace[]> {
      const tf = faceapi.tf;
      const t = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
      try {
        const r = await faceapi
          .detectAllFaces(t, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 }))
          .withFaceLandmarks()
          .withFaceDescriptors();
        return r.map((f: any) => ({
          box: { x: f.detection.box.x, y: f.detection.box.y, w: f.detection.box.width, h: f.detection.box.height },
          score: f.detection.score,
          descriptor: Float32Array.from(f.descriptor),
        }));
      } finally {
        tf.dispose(t);
      }
    },
  };
}
