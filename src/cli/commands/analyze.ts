import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  ACTIONS, analyzeFace, faceLandmarks, isLandmarkKind, LANDMARK_KINDS, type Action, type AntiSpoofOption, type AttributeResult, type LandmarkKind, type SpoofResult,
} from '../../analyze/index.js';
import { FacekitError } from '../../errors/index.js';
import { summarizeFace, type Point, type FaceSummary } from '../../face.js';
import { roundPoint } from '../../rounding.js';
import { drawFaces } from '../../image/index.js';
import { loadAndFindFaces, type FaceOptions } from '../../pipeline/index.js';
import { action, printJson } from '../run.js';
import { qualityPhrase } from '../face-options.js';

interface AnalyzeCliOptions {
  actions: string;
  models?: string;
  landmarks: string;
  detector?: string;
  detect?: boolean;
  scoreThreshold?: number;
  minFaceSize?: number;
  maxFaces?: number;
  json?: boolean;
  draw?: string;
}

export interface AnalyzedFace extends FaceSummary {
  /** the --landmarks set when it is not the five points */
  landmarks?: Point[];
  attributes: Partial<Record<Action, AttributeResult>>;
}

export function parseActions(list: string): Action[] {
  const actions = list.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (actions.length === 0) throw new FacekitError('BAD_ARGUMENT', `--actions is empty; give some of ${ACTIONS.join(', ')}`);
  for (const a of actions) {
    if (!ACTIONS.includes(a as Action)) throw new FacekitError('BAD_ARGUMENT', `unknown action "${a}" (known: ${ACTIONS.join(', ')})`);
  }
  return [...new Set(actions)] as Action[];
}

/** `--models age=gear,gender=gear`: a model per action, overriding the defaults. */
export function parseModels(list: string | undefined): Partial<Record<Action, string>> {
  const out: Partial<Record<Action, string>> = {};
  for (const item of (list ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [a, id] = item.split('=').map((s) => s.trim());
    if (!id || !ACTIONS.includes(a as Action)) throw new FacekitError('BAD_ARGUMENT', `--models wants action=model pairs (actions: ${ACTIONS.join(', ')}), got "${item}"`);
    out[a as Action] = id;
  }
  return out;
}

const pct = (p: number | undefined) => (p === undefined ? '' : ` ${(100 * p).toFixed(0)}%`);

/** One attribute as a short phrase: "age 31", "gender female 97%", "spoof real 88%". */
function describe(a: Action, r: AttributeResult): string {
  if (a === 'age') return `age ${Number(r.value).toFixed(0)}`;
  if (a === 'pose' && r.extra) return `pose ${Object.entries(r.extra).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(' ')}`;
  return `${a} ${r.value}${pct(r.score)}`;
}

/** The short caption drawn over a face: "F 31 happy". */
function caption(attrs: Partial<Record<Action, AttributeResult>>): string {
  const parts: string[] = [];
  if (attrs.gender) parts.push(String(attrs.gender.value) === 'female' ? 'F' : 'M');
  if (attrs.age) parts.push(Number(attrs.age.value).toFixed(0));
  for (const a of ['emotion', 'race', 'spoof'] as const) if (attrs[a]) parts.push(String(attrs[a]!.value));
  return parts.join(' ');
}

export function registerAnalyze(program: Command): void {
  program.command('analyze <image>')
    .description('age, gender, emotion, race (and spoof, pose, eye state) of every face')
    .option('--actions <list>', `comma-separated, of: ${ACTIONS.join(', ')}`, 'age,gender,emotion,race')
    .option('--models <list>', 'a model per action, e.g. age=gear,gender=faceres (default: the benchmarked best)')
    .option('--landmarks <set>', `landmarks to report and draw: ${LANDMARK_KINDS.join(' | ')}`, '5')
    .option('--detector <id>', 'face detector')
    .option('--no-detect', 'the image is already one face crop')
    .option('--score-threshold <n>', 'detector score threshold (0..1)', parseFloat)
    .option('--min-face-size <px>', 'ignore faces smaller than this', parseFloat)
    .option('--max-faces <n>', 'keep at most this many faces', (v) => parseInt(v, 10))
    .option('--json', 'print one JSON object')
    .option('--draw <out.png>', 'write the image with boxes, landmarks and attributes drawn')
    .action(action(async (image: string, o: AnalyzeCliOptions) => {
      const actions = parseActions(o.actions);
      const models = parseModels(o.models);
      if (!isLandmarkKind(o.landmarks)) throw new FacekitError('BAD_ARGUMENT', `--landmarks must be one of ${LANDMARK_KINDS.join(', ')}, got "${o.landmarks}"`);
      const kind: LandmarkKind = o.landmarks;
      const fo: FaceOptions = { detect: o.detect !== false };
      if (o.detector) fo.detector = o.detector;
      if (o.scoreThreshold !== undefined) fo.scoreThreshold = o.scoreThreshold;
      if (o.minFaceSize !== undefined) fo.minFaceSize = o.minFaceSize;
      if (o.maxFaces !== undefined) fo.maxFaces = o.maxFaces;

      const t0 = performance.now();
      const { image: rgb, faces } = await loadAndFindFaces(image, fo);
      if (faces.length === 0) throw new FacekitError('NO_FACE', `no face found in ${image} (if it is a face crop, pass --no-detect)`, { image });
      const out: AnalyzedFace[] = [];
      for (const f of faces) {
        const attributes = await analyzeFace(rgb, f, { actions, models });
        out.push({
          ...summarizeFace(f),
          ...(kind === '5' ? {} : { landmarks: (await faceLandmarks(rgb, f, kind)).map(roundPoint) }),
          attributes,
        });
      }
      const ms = performance.now() - t0;

      if (o.draw) {
        const drawable = out.map((f) => ({
          box: f.box,
          landmarks5: kind === '5' ? f.landmarks5 : [],
          landmarks: f.landmarks,
          label: caption(f.attributes),
        }));
        const dense = out[0].landmarks?.length ?? 0;
        const radius = Math.max(1, Math.round(Math.max(rgb.width, rgb.height) / 800));
        writeFileSync(o.draw, await drawFaces(rgb, drawable, { denseLandmarks: true, denseRadius: dense > 100 ? radius : 2 * radius }));
      }
      if (o.json) return printJson({ faces: out, ms });
      console.log(`${out.length} face${out.length === 1 ? '' : 's'} in ${ms.toFixed(0)} ms`);
      out.forEach((f, i) => {
        const b = f.box;
        const attrs = actions.filter((a) => f.attributes[a]).map((a) => describe(a, f.attributes[a]!));
        console.log(`  #${i + 1} x=${b.x.toFixed(0)} y=${b.y.toFixed(0)} w=${b.w.toFixed(0)} h=${b.h.toFixed(0)}: ${attrs.join(', ')}${f.quality ? `; ${qualityPhrase(f.quality)}` : ''}`);
        if (f.landmarks) console.log(`     ${f.landmarks.length} landmarks (--json prints them)`);
      });
      const used = [...new Set(out.flatMap((f) => Object.entries(f.attributes).map(([a, r]) => `${a}=${r.model}`)))];
      console.log(`  models: ${used.join(', ')}`);
    }));
}

/** --anti-spoof / --spoof-model, shared by verify, identify and enroll. */
export function addAntiSpoofOptions(cmd: Command): Command {
  return cmd
    .option('--anti-spoof', 'also judge each face live or presented (a photo or screen of a face)')
    .option('--spoof-model <id>', 'anti-spoofing model (implies --anti-spoof; default: the benchmarked best)');
}

export interface CliAntiSpoof { antiSpoof?: boolean; spoofModel?: string }

export function antiSpoofFrom(o: CliAntiSpoof): AntiSpoofOption | undefined {
  if (o.spoofModel) return { model: o.spoofModel };
  return o.antiSpoof ? true : undefined;
}

/** "real (live score 0.98, liveness)" / "PRESENTED (live score 0.12, liveness)" */
export function spoofPhrase(s: SpoofResult): string {
  return `${s.isReal ? 'real' : 'PRESENTED'} (live score ${s.score.toFixed(2)}, ${s.model})`;
}
