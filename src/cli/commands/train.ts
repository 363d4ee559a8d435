import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Option, type Command } from 'commander';
import { FacekitError } from '../../errors/index.js';
import { loadTrainingModule } from '../../learn/on-demand.js';
import { HEAD_LOSSES, parseMining, type HeadLoss } from '../../learn/options.js';
import type { HeldOutResult } from '../../learn/verification.js';
import { progress } from '../progress.js';
import { action, printJson } from '../run.js';

interface TrainCliOptions {
  out: string;
  loss: HeadLoss;
  mining: string;
  epochs: number;
  holdout: number;
  layers?: string;
  margin?: number;
  lr?: number;
  batch?: string;
  seed: number;
  model?: string;
  detector?: string;
  align?: boolean;
  detect?: boolean;
  flip?: boolean;
  json?: boolean;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const fmt = (r: HeldOutResult) => `accuracy ${pct(r.accuracy)} +- ${pct(r.accuracyStd)} (10-fold), TAR@FAR=1e-2 ${pct(r.tarAtFar1e2)}${r.tarResolvable ? '' : ' (too few impostor pairs to resolve)'}, AUC ${r.auc.toFixed(4)}`;

function parseBatch(s: string): { P: number; K: number } {
  const m = /^(\d+)x(\d+)$/.exec(s);
  if (!m) throw new FacekitError('BAD_ARGUMENT', `--batch must look like PxK (identities x images, e.g. 8x4), got ${s}`);
  return { P: Number(m[1]), K: Number(m[2]) };
}

/**
 * facekit train: learn a head over a frozen recognition model from a folder of labelled faces,
 * report held-out verification before and after, and save the head for --head.
 */
export function registerTrain(program: Command): void {
  program.command('train <dir>')
    .description('fine-tune a projection head on your own labelled faces (<identity>/<images>), measured on held-out people')
    .requiredOption('--out <head.json>', 'where to write the head')
    .addOption(new Option('--loss <loss>', 'training loss').choices([...HEAD_LOSSES]).default('triplet'))
    .addOption(new Option('--mining <strategy>', 'triplet mining inside each batch').choices(['hard', 'semi-hard', 'all']).default('semi-hard'))
    .option('--epochs <n>', 'passes over the training images', (v) => parseInt(v, 10), 10)
    .option('--holdout <fraction>', 'share of identities held out to measure on (0: train on everyone, measure nothing)', parseFloat, 0.3)
    .option('--layers <spec>', 'head shape: linear:D or mlp:H:D (default linear:128)')
    .option('--margin <m>', 'loss margin (default 0.2 triplet, 1.0 contrastive)', parseFloat)
    .option('--lr <rate>', 'Adam learning rate (default 1e-3; 1e-2 for siamese)', parseFloat)
    .option('--batch <PxK>', 'identities x images per batch (default 8x4)')
    .option('--seed <n>', 'split, sampling and init seed', (v) => parseInt(v, 10), 1)
    .option('--model <id>', 'the frozen recognition model (see: facekit models list)')
    .option('--detector <id>', 'face detector')
    .option('--no-align', 'plain square crop around the box instead of the landmark warp')
    .option('--no-detect', 'the images are already face crops aligned to the ArcFace template')
    .option('--flip', 'also embed the mirrored face and average')
    .option('--json', 'print one JSON object')
    .action(action(async (dir: string, o: TrainCliOptions) => {
      if (!(o.holdout >= 0 && o.holdout < 1)) throw new FacekitError('BAD_ARGUMENT', `--holdout must be in [0, 1), got ${o.holdout}`);
      if (!(Number.isInteger(o.epochs) && o.epochs >= 1)) throw new FacekitError('BAD_ARGUMENT', `--epochs must be a positive integer, got ${o.epochs}`);
      const mining = parseMining(o.mining);
      const [{ embedLabelledFolder, fitHeadOnEmbeddings }, { writeHeadFile }] = await loadTrainingModule(() => Promise.all([import('../../learn/fit-head.js'), import('../../learn/head-file.js')]));
      const bar = progress('embedding');
      const faceOpts = { model: o.model, detector: o.detector, align: o.align !== false, detect: o.detect !== false, flip: !!o.flip };
      const folder = await embedLabelledFolder(dir, { ...faceOpts, onProgress: bar.update });
      bar.stop();
      const log = (s: string) => (o.json ? process.stderr.write(`${s}\n`) : console.log(s));
      log(`${folder.names.length} identities, ${folder.embeddings.length} of ${folder.images} images embedded with ${folder.baseModel}${folder.noFace.length ? ` (${folder.noFace.length} without a face, left out)` : ''}`);
      const r = await fitHeadOnEmbeddings({
        embeddings: folder.embeddings, labels: folder.labels, names: folder.names, baseModel: folder.baseModel, dataset: dir,
        loss: o.loss, mining, head: o.layers, margin: o.margin, epochs: o.epochs, lr: o.lr, batch: o.batch ? parseBatch(o.batch) : undefined,
        seed: o.seed, holdout: o.holdout,
        onEpoch: (e, n, l) => process.stderr.write(`training ${o.loss}${o.loss === 'triplet' ? `/${o.mining}` : ''}: epoch ${e + 1}/${n} loss ${l.toFixed(4)}\n`),
      });
      mkdirSync(dirname(o.out), { recursive: true });
      writeHeadFile(o.out, r.file);
      const summary = {
        out: o.out, headId: r.headId, head: r.file.head, baseModel: folder.baseModel, loss: o.loss, mining: o.loss === 'triplet' ? o.mining : undefined,
        identities: { train: r.trainIdentities.length, holdout: r.holdoutIdentities.length }, images: folder.embeddings.length, noFace: folder.noFace.length,
        before: r.before, after: r.after, siameseProbability: r.siameseProbability, lossHistory: r.history, seconds: r.seconds,
        calibrations: Object.keys(r.file.calibrations ?? {}),
      };
      if (o.json) return printJson(summary);
      console.log(`trained ${r.file.head} head (${o.loss}${o.loss === 'triplet' ? `, ${o.mining} mining` : ''}) on ${r.trainIdentities.length} identities in ${r.seconds.toFixed(1)} s; loss ${r.history[0]?.toFixed(4)} -> ${r.history[r.history.length - 1]?.toFixed(4)}`);
      if (r.before && r.after) {
        console.log(`held-out ${r.holdoutIdentities.length} identities (never trained on), cosine:`);
        console.log(`  before (${folder.baseModel} alone): ${fmt(r.before)}`);
        console.log(`  after  (with the head):    ${fmt(r.after)}`);
        if (r.siameseProbability) console.log(`  Siamese P(same) itself:      ${fmt(r.siameseProbability)}`);
      } else console.log('no held-out identities: nothing measured (the calibration was fitted on the training people and is optimistic)');
      console.log(`head ${r.headId} written to ${o.out}; use it with --head ${o.out} (verify, identify, enroll, represent, eval verify)`);
    }));
}
