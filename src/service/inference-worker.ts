/** The inference worker's message loop: one doImageWork per message, errors sent back as data. */
import { parentPort } from 'node:worker_threads';
import { isFacekitError } from '../errors/index.js';
import { doImageWork, type ImageWork } from './image-work.js';

export interface WorkRequest {
  id: number;
  image: Uint8Array;
  work: ImageWork;
}

export type WorkReply =
  | { id: number; ok: true; result: Awaited<ReturnType<typeof doImageWork>> }
  | { id: number; ok: false; error: { facekit: boolean; code?: string; message: string; details?: Record<string, unknown>; stack?: string } };

const port = parentPort;
if (!port) throw new Error('inference-worker.ts runs as a worker thread');

port.on('message', (req: WorkRequest) => {
  doImageWork(req.image, req.work).then(
    (result) => port.postMessage({ id: req.id, ok: true, result } satisfies WorkReply, result.embeddings.map((e) => e.buffer as ArrayBuffer)),
    (e: unknown) => {
      const error = isFacekitError(e)
        ? { facekit: true, code: e.code, message: e.message, details: e.details }
        : { facekit: false, message: (e as Error)?.message ?? String(e), stack: (e as Error)?.stack };
      port.postMessage({ id: req.id, ok: false, error } satisfies WorkReply);
    },
  );
});
