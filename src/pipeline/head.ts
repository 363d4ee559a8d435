import { getCalibration, type Calibration, type Metric } from '../compare/index.js';
import { FacekitError } from '../errors/index.js';
import { ParsedFiles } from '../file-cache.js';
import { readRuntimeHead, type RuntimeHead } from '../learn/head-runtime.js';
import type { FaceOptions } from './options.js';

const loaded = new ParsedFiles<RuntimeHead>();
const byId = new Map<string, RuntimeHead>();

/** A head already read by headFor, by its id (how verify and identify find its calibration). */
export function loadedHead(id: string): RuntimeHead | undefined {
  return byId.get(id);
}

/**
 * The head named by `opts.head` (a file from `facekit train`), read once per file version, checked
 * against the recognition model: a head only means something over the model it was trained on.
 * Without --model the head's base model is used.
 */
export function headFor(opts: Pick<FaceOptions, 'head' | 'model'>): RuntimeHead | undefined {
  if (!opts.head) return undefined;
  const head = loaded.get(opts.head, (file) => {
    const h = readRuntimeHead(file);
    byId.set(h.id, h);
    return h;
  });
  if (!head) throw new FacekitError('NOT_FOUND', `head file not found: ${opts.head}`);
  if (opts.model && opts.model !== head.baseModel) {
    throw new FacekitError('BAD_ARGUMENT', `head ${opts.head} was trained on model ${head.baseModel}, not ${opts.model}: use --model ${head.baseModel} or a head trained on ${opts.model}`);
  }
  return head;
}

/** The recognition model to run: the head's base model when a head is given. */
export function baseModelFor(opts: Pick<FaceOptions, 'head' | 'model'>, fallback: string): string {
  return headFor(opts)?.baseModel ?? opts.model ?? fallback;
}

/**
 * Threshold and P(same) map for headed embeddings: one stored by `facekit calibrate --head` under
 * the head's id wins, else the one `facekit train` fitted on its held-out people.
 */
export function headCalibration(head: RuntimeHead, metric: Metric): Calibration {
  try {
    return getCalibration(head.id, metric);
  } catch {
    const c = head.calibrations[metric];
    if (c) return c;
    throw new FacekitError('BAD_ARGUMENT', `no calibration for head ${head.id} with metric ${metric}: pass a threshold, or run "facekit calibrate --head FILE --metric ${metric}" on labelled faces`);
  }
}
