/**
 * Passive anti-spoofing on one image: is this a live face or a photo/screen of one? A spoof is a
 * result (isReal false), never an exception; only bad input or a missing model throws.
 * The models see texture and context (moire, screen edges, paper), so their crops are wide
 * (fr_liveness: 2.7x the box) and they need the full-resolution frame, not an aligned crop.
 */
import type { Face } from '../face.js';
import type { RgbImage } from '../image/types.js';
import { FacekitError } from '../errors/index.js';
import { defaultModel, runAttributeModel, ATTRIBUTE_MODELS } from './attributes.js';

export interface SpoofResult {
  isReal: boolean;
  /** probability-like live score, 0..1, higher = more likely real */
  score: number;
  model: string;
}

export async function checkSpoof(image: RgbImage, face: Face, opts: { model?: string } = {}): Promise<SpoofResult> {
  const model = opts.model ?? defaultModel('spoof');
  if (!ATTRIBUTE_MODELS[model]?.actions.includes('spoof')) {
    throw new FacekitError('BAD_ARGUMENT', `model ${model} is not an anti-spoofing model`);
  }
  const r = (await runAttributeModel(image, face, model)).spoof;
  if (!r || typeof r.score !== 'number') throw new FacekitError('INTERNAL', `model ${model} gave no spoof score`);
  return { isReal: r.value === 'real', score: r.score, model };
}

/** How verify / identify / enroll take anti-spoofing: off (default), on with the default model, or a model. */
export type AntiSpoofOption = boolean | { model?: string };

/** checkSpoof when `opt` asks for it, else undefined. */
export async function spoofCheckIfAsked(image: RgbImage, face: Face, opt: AntiSpoofOption | undefined): Promise<SpoofResult | undefined> {
  if (!opt) return undefined;
  if (face.detector === 'none') {
    throw new FacekitError('BAD_ARGUMENT', 'anti-spoofing judges a face together with the photo around it; it cannot run on a pre-cropped face (detection turned off)');
  }
  return checkSpoof(image, face, typeof opt === 'object' ? { model: opt.model } : {});
}
