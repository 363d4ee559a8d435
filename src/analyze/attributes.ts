/**
 * Attribute models (age, gender, emotion, race, spoof, pose, eye state) as data: the registry
 * record says how to feed a model, attribute-models.json says how to frame the face for it and
 * which decoder reads it, defaults.json which model serves an action. analyzeFace groups the
 * asked actions by model so a multi-output model (GEAR: age + gender + race) runs once.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Face, Point } from '../face.js';
import type { RgbImage } from '../image/types.js';
import { FacekitError } from '../errors/index.js';
import { listModels, loadModel } from '../models/index.js';
import { expandBox, shiftInsideImage, type CropSpec, type LandmarkBoxCropSpec, type TemplateCropSpec } from './crop.js';
import { predictFaceApiLandmarks68 } from '../detect/index.js';
import { cropBox, mirror, resizeImage } from '../image/index.js';
import { alignToTemplate, arcfaceTemplate, cropResize, dlibTemplate, scaleTemplate } from '../align/index.js';
import { classify, getDecoder, type Action, type AttributeResult, type Outputs, type Params } from './decoders.js';
import { interOcularDistance } from './pose.js';
import { attributeTensor } from './tensor.js';

export interface AttributeModelEntry {
  actions: Action[];
  decoder: string;
  /** framing relative to the detector box, or 'eyes' for per-eye models */
  crop: CropSpec | TemplateCropSpec | LandmarkBoxCropSpec | 'eyes';
  /** feed one grey channel */
  grey?: boolean;
  /** also run the mirrored crop and average the two runs' outputs before decoding (set where it measured better) */
  testTimeFlip?: boolean;
  params: Params;
}

const here = dirname(fileURLToPath(import.meta.url));
const readJson = <T>(f: string): T => JSON.parse(readFileSync(join(here, f), 'utf8')) as T;

export const ATTRIBUTE_MODELS: Record<string, AttributeModelEntry> = readJson('attribute-models.json');
const DEFAULTS: Record<string, string[] | string> = readJson('defaults.json');
export const ACTIONS: Action[] = ['age', 'gender', 'emotion', 'race', 'spoof', 'pose', 'eye'];

/** Models (in the registry and with an attribute entry) that can serve `action`. */
export function candidateModels(action: Action): string[] {
  const known = new Set(listModels().map((r) => r.id));
  return Object.entries(ATTRIBUTE_MODELS)
    .filter(([id, e]) => e.actions.includes(action) && known.has(id))
    .map(([id]) => id);
}

export function defaultModel(action: Action): string {
  const known = new Set(listModels().map((r) => r.id));
  const listed = DEFAULTS[action];
  const pick = (Array.isArray(listed) ? listed : []).find((id) => known.has(id) && ATTRIBUTE_MODELS[id]) ?? candidateModels(action)[0];
  if (!pick) throw new FacekitError('MODEL_NOT_FOUND', `no installed model can estimate ${action}`);
  return pick;
}

function entryFor(modelId: string): AttributeModelEntry {
  const e = ATTRIBUTE_MODELS[modelId];
  if (!e) {
    throw new FacekitError('MODEL_NOT_FOUND', `model "${modelId}" is not an attribute model (known: ${Object.keys(ATTRIBUTE_MODELS).join(', ')})`);
  }
  return e;
}

/** Square eye crops centred on the two eye landmarks, 0.8 x inter-ocular distance wide (~1.6 eye widths). */
function eyeBoxes(face: Face) {
  const side = 0.8 * interOcularDistance(face.landmarks5);
  const at = (p: Point) => ({ x: p[0] - side / 2, y: p[1] - side / 2, w: side, h: side });
  return [at(face.landmarks5[0]), at(face.landmarks5[1])];
}

function templateCrop(image: RgbImage, face: Face, spec: TemplateCropSpec, width: number, height: number): RgbImage {
  const base = spec.template === 'dlib' ? dlibTemplate(width, spec.padding ?? 0.25) : arcfaceTemplate(width, spec.padding ?? 0);
  return alignToTemplate(image, face.landmarks5, { template: height === width ? base : scaleTemplate(base, width, height) });
}

async function landmarkBoxCrop(image: RgbImage, face: Face, spec: LandmarkBoxCropSpec, width: number, height: number): Promise<RgbImage> {
  const pts = await predictFaceApiLandmarks68(image, face.box, spec.landmarkBox);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const x0 = Math.min(...xs);
  const y0 = Math.min(...ys);
  const w = Math.max(...xs) - x0;
  const h = Math.max(...ys) - y0;
  const box = { x: x0 - (spec.padding / 2) * w, y: y0 - (spec.padding / 2) * h, w: (1 + spec.padding) * w, h: (1 + spec.padding) * h };
  return (await resizeImage(cropBox(image, box).image, width, height, { letterbox: true })).image;
}

function boxCrop(image: RgbImage, face: Face, spec: CropSpec) {
  const box = expandBox(face.box, spec);
  return spec.insideImage ? shiftInsideImage(box, image.width, image.height) : box;
}

/**
 * Run one attribute model on one face; returns every action that model decodes. `testTimeFlip`
 * overrides the entry's own setting (the bench measures both ways).
 */
export async function runAttributeModel(image: RgbImage, face: Face, modelId: string, opts: { testTimeFlip?: boolean } = {}): Promise<Partial<Record<Action, AttributeResult>>> {
  const entry = entryFor(modelId);
  const { record, session } = await loadModel(modelId);
  const { width, height, name } = record.input;
  const decode = getDecoder(entry.decoder);
  if (entry.crop === 'eyes') {
    // one run per eye; the face's eye state is the mean of both
    const results = [];
    for (const box of eyeBoxes(face)) {
      const crop = cropResize(image, box, width, height);
      results.push(decode(await session.run({ [name]: attributeTensor(crop, record.input, entry.grey) }), entry.params, modelId));
    }
    const action = entry.actions[0];
    const [l, r] = results.map((x) => x[action]!);
    const classes = Object.keys(l.probabilities!);
    const merged = classify(classes.map((c) => (l.probabilities![c] + r.probabilities![c]) / 2), classes, modelId);
    merged.extra = Object.fromEntries(classes.flatMap((c) => [[`left_${c}`, l.probabilities![c]], [`right_${c}`, r.probabilities![c]]]));
    return { [action]: merged };
  }
  const crop = 'template' in entry.crop
    ? templateCrop(image, face, entry.crop, width, height)
    : 'landmarkBox' in entry.crop
      ? await landmarkBoxCrop(image, face, entry.crop, width, height)
      : cropResize(image, boxCrop(image, face, entry.crop), width, height);
  const run = async (c: RgbImage) => session.run({ [name]: attributeTensor(c, record.input, entry.grey) });
  const out = await run(crop);
  return decode((opts.testTimeFlip ?? entry.testTimeFlip) ? averageOutputs(out, await run(mirror(crop))) : out, entry.params, modelId);
}

/** Element-wise mean of two runs' outputs (logits, probabilities or regressions alike). */
function averageOutputs(a: Outputs, b: Outputs): Outputs {
  const out: Outputs = {};
  for (const [k, t] of Object.entries(a)) {
    const u = b[k].data as Float32Array;
    out[k] = { ...t, data: Float32Array.from(t.data as Float32Array, (v, i) => (v + u[i]) / 2) };
  }
  return out;
}

export interface AnalyzeOptions {
  actions?: Action[];
  /** model per action, overriding defaults.json */
  models?: Partial<Record<Action, string>>;
}

export async function analyzeFace(image: RgbImage, face: Face, opts: AnalyzeOptions = {}): Promise<Partial<Record<Action, AttributeResult>>> {
  const actions = opts.actions ?? ['age', 'gender', 'emotion', 'race'];
  for (const a of actions) {
    if (!ACTIONS.includes(a)) throw new FacekitError('BAD_ARGUMENT', `unknown analysis action "${a}" (known: ${ACTIONS.join(', ')})`);
  }
  if (!face?.box) throw new FacekitError('BAD_ARGUMENT', 'analyzeFace needs a face with a box');
  const byModel = new Map<string, Action[]>();
  for (const a of actions) {
    const id = opts.models?.[a] ?? defaultModel(a);
    if (!entryFor(id).actions.includes(a)) throw new FacekitError('BAD_ARGUMENT', `model ${id} does not estimate ${a} (it gives ${entryFor(id).actions.join(', ')})`);
    byModel.set(id, [...(byModel.get(id) ?? []), a]);
  }
  const result: Partial<Record<Action, AttributeResult>> = {};
  for (const [id, wanted] of byModel) {
    const out = await runAttributeModel(image, face, id);
    for (const a of wanted) if (out[a]) result[a] = out[a];
  }
  return result;
}

/** analyzeFace for every face; returns copies of the faces with `attributes` filled in. */
export async function analyzeFaces(image: RgbImage, faces: Face[], opts: AnalyzeOptions = {}): Promise<Face[]> {
  const out: Face[] = [];
  for (const face of faces) out.push({ ...face, attributes: { ...face.attributes, ...(await analyzeFace(image, face, opts)) } });
  return out;
}
