import { writeFileSync } from 'node:fs';
import { loadSharp } from '../image/sharp.js';
import { Option, type Command } from 'commander';
import { isMetric, METRICS, type Metric } from '../compare/index.js';
import { DEFAULT_DETECTOR, listDetectors } from '../detect/index.js';
import { FacekitError } from '../errors/index.js';
import { captionBand, drawFaces, loadImage, type DrawableFace } from '../image/index.js';
import type { FaceOptions } from '../pipeline/index.js';
import type { VerifyResult } from '../verify/index.js';
import { DEFAULT_MIN_QUALITY } from '../analyze/quality.js';
import type { QualitySummary } from '../face.js';

/** The options every image command shares, declared once. */
export function addFaceOptions(cmd: Command): Command {
  return cmd
    .option('--model <id>', 'recognition model (see: facekit models list)')
    .option('--head <file.json>', 'apply a head trained by facekit train to every embedding')
    .option('--detector <id>', `face detector (${listDetectors().map((d) => d.id).join(', ')}; default ${DEFAULT_DETECTOR})`)
    .addOption(new Option('--metric <metric>', 'distance metric').choices([...METRICS]))
    .option('--no-align', 'plain square crop around the box instead of the landmark warp')
    .option('--no-detect', 'the image is already one face crop aligned to the ArcFace template')
    .option('--flip', 'also embed the mirrored face and average')
    .option('--score-threshold <n>', 'detector score threshold (0..1)', parseFloat)
    .option('--min-face-size <px>', 'ignore faces smaller than this', parseFloat)
    .option('--max-faces <n>', 'keep at most this many faces', (v) => parseInt(v, 10))
    .option('--json', 'print one JSON object');
}

/** --draw, for the commands that draw what they found (the others would take it and do nothing). */
export function addDrawOption(cmd: Command, what = 'write the image with boxes and five landmarks drawn'): Command {
  return cmd.option('--draw <out.png>', what);
}

export interface CliFaceOptions {
  model?: string;
  head?: string;
  detector?: string;
  metric?: string;
  align?: boolean;
  detect?: boolean;
  flip?: boolean;
  scoreThreshold?: number;
  minFaceSize?: number;
  maxFaces?: number;
  json?: boolean;
  draw?: string;
}

export function faceOptionsFrom(o: CliFaceOptions): FaceOptions {
  const out: FaceOptions = { align: o.align !== false, detect: o.detect !== false, flip: !!o.flip };
  if (o.model) out.model = o.model;
  if (o.head) out.head = o.head;
  if (o.detector) out.detector = o.detector;
  if (o.scoreThreshold !== undefined) out.scoreThreshold = o.scoreThreshold;
  if (o.minFaceSize !== undefined) out.minFaceSize = o.minFaceSize;
  if (o.maxFaces !== undefined) out.maxFaces = o.maxFaces;
  return out;
}

export function metricFrom(o: CliFaceOptions): Metric | undefined {
  if (o.metric === undefined) return undefined;
  if (!isMetric(o.metric)) throw new FacekitError('BAD_ARGUMENT', `unknown metric ${o.metric}; use one of ${METRICS.join(', ')}`);
  return o.metric;
}

/** --draw: the photo with every face's box and five landmarks, and its label and colour when given. */
export async function drawTo(out: string, imagePath: string, faces: readonly DrawableFace[]): Promise<void> {
  const image = await loadImage(imagePath);
  writeFileSync(out, await drawFaces(image, faces, { labels: true }));
}

/** verify --draw: both photos side by side at one height, faces drawn, the verdict as a caption under them. */
export async function drawPair(out: string, paths: [string, string], r: VerifyResult): Promise<void> {
  const sharp = await loadSharp();
  const H = 400;
  const panels = await Promise.all(paths.map(async (p, i) => {
    const image = await loadImage(p);
    const png = await drawFaces(image, [r.faces[i]], { color: r.verified === null ? '#f59e0b' : r.verified ? '#22c55e' : '#ef4444' });
    return sharp(png).resize({ height: H }).png().toBuffer({ resolveWithObject: true });
  }));
  const pictures = panels[0].info.width + panels[1].info.width;
  const caption = captionBand([
    r.verified === null ? 'UNDECIDED (low quality)' : r.verified ? 'SAME' : 'DIFFERENT',
    `distance ${r.distance.toFixed(3)} / threshold ${r.threshold.toFixed(3)}`,
    `confidence ${(100 * r.confidence).toFixed(1)}%`,
  ], pictures);
  // the caption may be wider than two narrow photos: they are centred over it
  const left = Math.floor((caption.width - pictures) / 2);
  const img = await sharp({ create: { width: caption.width, height: H + caption.height, channels: 3, background: '#111' } })
    .composite([
      { input: panels[0].data, left, top: 0 },
      { input: panels[1].data, left: left + panels[0].info.width, top: 0 },
      { input: caption.svg, left: 0, top: H },
    ])
    .png()
    .toBuffer();
  writeFileSync(out, img);
}

/** --min-quality, for the commands that decide (verify, identify). */
export function addMinQualityOption(cmd: Command): Command {
  return cmd.option('--min-quality <q>', `a face below this quality (0-1) gets no decision but "undecided" with the reason (default ${DEFAULT_MIN_QUALITY}; 0: decide on any face)`, parseFloat);
}

/** A face's quality as the text output shows it: "quality 0.83" or "quality 0.21 (blurred, too dark)". */
export function qualityPhrase(q: QualitySummary | undefined): string {
  if (!q) return '';
  return `quality ${q.score.toFixed(2)}${q.reasons.length ? ` (${q.reasons.join(', ')})` : ''}`;
}

/** Where labelled pairs come from (eval verify, calibrate): a dataset folder or a pairs CSV. */
export interface CliPairSource {
  dataset?: string;
  pairs?: string;
  root?: string;
  pairsPerClass?: number;
  seed?: number;
}

export function addPairSourceOptions(cmd: Command, defaultPairsPerClass: number): Command {
  return cmd
    .option('--dataset <dir>', 'folder of <identity>/<images>; pairs are sampled')
    .option('--pairs <file.csv>', 'pairs CSV with header img1,img2,same')
    .option('--root <dir>', 'folder the CSV paths are relative to (default: the CSV folder)')
    .option('--pairs-per-class <n>', 'genuine pairs per identity (as many impostors)', (v) => parseInt(v, 10), defaultPairsPerClass)
    .option('--seed <n>', 'sampling seed', (v) => parseInt(v, 10), 1);
}

export function pairSourceFrom(o: CliPairSource): Required<Pick<CliPairSource, 'seed'>> & CliPairSource {
  if (!o.dataset && !o.pairs) throw new FacekitError('BAD_ARGUMENT', 'give --dataset DIR or --pairs FILE.csv');
  return { dataset: o.dataset, pairs: o.pairs, root: o.root, pairsPerClass: o.pairsPerClass, seed: o.seed ?? 1 };
}
