import type { Command } from 'commander';
import { FacekitError } from '../../errors/index.js';
import { formatGroupReport, formatIdentification, writeIdentificationReport, writeVerificationReport } from '../../eval/index.js';
import { runIdentificationEval, runVerificationEval } from '../../eval/run.js';
import { formatQualityReject, qualityRejectFigure } from '../../eval/quality-reject.js';
import { addFaceOptions, addPairSourceOptions, pairSourceFrom, type CliPairSource, faceOptionsFrom, metricFrom, type CliFaceOptions } from '../face-options.js';
import { progress } from '../progress.js';
import { action, printJson } from '../run.js';
import { calibrationOnPairs, type CalibrationOnPairs } from '../../eval/calibration-check.js';
import type { ScoredPair } from '../../eval/index.js';
import type { CalibratedScore } from '../../compare/index.js';

interface EvalCliOptions extends CliFaceOptions, CliPairSource {
  folds?: number;
  report?: string;
  db?: string;
  collection?: string;
}

interface GroupCliOptions {
  groupBy?: string;
  groupLabels?: string;
  groupPattern?: string;
  groupBands?: string;
  groupNames?: string;
  threshold?: number;
}

function groupByFrom(o: GroupCliOptions) {
  if (!o.groupBy) {
    const stray = (['groupLabels', 'groupPattern', 'groupBands', 'groupNames'] as const).find((k) => o[k] !== undefined);
    if (stray) throw new FacekitError('BAD_ARGUMENT', `--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --group-by FIELD`);
    return undefined;
  }
  const bands = o.groupBands?.split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  return { field: o.groupBy, labels: o.groupLabels, pattern: o.groupPattern, bands, names: o.groupNames };
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export function registerEval(program: Command): void {
  const ev = program.command('eval').description('measure verification and identification accuracy on labelled faces');

  addPairSourceOptions(addFaceOptions(ev.command('verify').description('10-fold verification accuracy, ROC AUC, EER, TAR@FAR on sampled or listed pairs')), 10)
    .option('--folds <n>', 'cross-validation folds', (v) => parseInt(v, 10), 10)
    .option('--report <dir>', 'write an HTML report with the ROC curve and distance histograms')
    .option('--group-by <field>', 'also report false match / non-match rates per group of this label at the deployed threshold (impostor pairs drawn within groups)')
    .option('--group-labels <file.csv>', 'labels: CSV with a column image (or identity) and the field (default: DIR/labels.csv, else DIR.csv beside it)')
    .option('--group-pattern <regex>', 'labels from file names instead: a regular expression with (?<field>...), e.g. ^(?<age>\\d+)_(?<gender>\\d)_')
    .option('--group-bands <edges>', 'numeric labels into bands, e.g. 18,30,45,60 for age')
    .option('--group-names <map>', 'rename labels, e.g. 0=male,1=female')
    .option('--threshold <n>', 'the deployed threshold for --group-by (default: the calibration of model and metric)', parseFloat)
    .option('--db <file|url>', 'also decide these (held-out) pairs with the calibration fitted for this gallery and with the shipped one, side by side')
    .option('--collection <name>', 'the collection of --db whose fitted calibration to show (default: default)')
    .action(action(async (o: EvalCliOptions & GroupCliOptions) => {
      if (o.collection && !o.db) throw new FacekitError('BAD_ARGUMENT', '--collection names a collection of the gallery given with --db');
      const groupBy = groupByFrom(o);
      const bar = progress('embedding');
      const { summary, result, pairList } = await runVerificationEval({
        ...faceOptionsFrom(o),
        metric: metricFrom(o),
        ...pairSourceFrom(o),
        folds: o.folds,
        groupBy,
        threshold: o.threshold,
        onProgress: bar.update,
      });
      bar.stop();
      if (o.report) await writeVerificationReport(o.report, result, { hardestPairs: 8, root: pairList.root, groups: summary.groups, extraFigures: [qualityRejectFigure(summary.qualityReject)] });
      const side = o.db ? await calibrationsSideBySide(o.db, o.collection, summary.model, summary.metric, result.scored) : undefined;
      if (o.json) return printJson(side ? { ...summary, calibrations: side } : summary);
      console.log(`${summary.pairs} pairs, model ${summary.model}, detector ${summary.detector}, metric ${summary.metric}`);
      console.log(`  accuracy ${pct(summary.accuracy.mean)} +- ${pct(summary.accuracy.std)} (10-fold), threshold ${summary.threshold.toFixed(4)}`);
      console.log(`  AUC ${summary.auc.toFixed(4)}, EER ${pct(summary.eer)}, TAR@FAR=1e-2 ${pct(summary.tarAtFar['0.01'])}, TAR@FAR=1e-3 ${pct(summary.tarAtFar['0.001'])}`);
      console.log(formatQualityReject(summary.qualityReject).split('\n').map((l) => `  ${l}`).join('\n'));
      console.log(`  images without a face: ${summary.noFace}; ${summary.msPerImage === null ? 'all embeddings cached' : `${summary.msPerImage.toFixed(1)} ms per image`}`);
      if (summary.groups) console.log(formatGroupReport(summary.groups));
      if (o.report) console.log(`  report: ${o.report}/index.html`);
      if (side) {
        console.log(`  calibrations on these pairs (${side[0].genuine} genuine, ${side[0].impostor} impostor):`);
        for (const c of side) console.log(`    ${c.label.padEnd(44)} threshold ${c.threshold.toFixed(4)}  target FAR ${c.targetFar}  FAR ${c.far.toExponential(2)} (${c.falseAccepts})  FRR ${pct(c.frr)} (${c.falseRejects})`);
      }
    }));

  addFaceOptions(ev.command('identify').description('one-shot 1:N identification: rank-1/5 (CMC) and open-set DIR/FPIR with held-out strangers'))
    .requiredOption('--dataset <dir>', 'folder of <identity>/<images>: one image per identity enrolled, the rest are probes')
    .option('--strangers <fraction>', 'share of identities left out of the gallery as strangers', parseFloat, 0.2)
    .option('--seed <n>', 'split seed', (v) => parseInt(v, 10), 1)
    .option('--threshold <n>', 'open-set threshold (default: the calibration of model and metric)', parseFloat)
    .option('--report <dir>', 'write an HTML report with the CMC and DIR/FPIR curves and the failures')
    .action(action(async (o: EvalCliOptions & { strangers: number; threshold?: number }) => {
      if (!(o.strangers >= 0 && o.strangers < 1)) throw new FacekitError('BAD_ARGUMENT', `--strangers must be a fraction in [0, 1), got ${o.strangers}`);
      const bar = progress('embedding');
      const { summary, result, root } = await runIdentificationEval({
        ...faceOptionsFrom(o),
        metric: metricFrom(o),
        dataset: o.dataset!,
        seed: o.seed,
        strangerFraction: o.strangers,
        threshold: o.threshold,
        onProgress: bar.update,
      });
      bar.stop();
      if (o.report) {
        await writeIdentificationReport(o.report, result, {
          root,
          meta: { model: summary.model, detector: summary.detector, metric: summary.metric, dataset: o.dataset!, seed: o.seed ?? 1 },
        });
      }
      if (o.json) return printJson(summary);
      console.log(`model ${summary.model}, detector ${summary.detector}, metric ${summary.metric}, threshold ${summary.threshold === null ? 'none (no calibration)' : `${summary.threshold.toFixed(4)} (${summary.thresholdSource})`}`);
      console.log(formatIdentification(result).split('\n').map((l) => `  ${l}`).join('\n'));
      console.log(`  DIR at FPIR 1e-2: ${pct(summary.dirAtFpir['0.01'])}, at FPIR 1e-1: ${pct(summary.dirAtFpir['0.1'])}`);
      console.log(`  ${summary.msPerImage === null ? 'all embeddings cached' : `${summary.msPerImage.toFixed(1)} ms per image`}`);
      if (o.report) console.log(`  report: ${o.report}/index.html`);
    }));
}

/** The shipped calibration and the one fitted for the gallery's collection, each deciding the same pairs. */
async function calibrationsSideBySide(db: string, collection: string | undefined, model: string, metric: CalibratedScore, scored: ScoredPair[]): Promise<CalibrationOnPairs[]> {
  const [{ getCalibration, SHIPPED_CALIBRATIONS_DIR }, { openGallery, siteCalibration }] = await Promise.all([import('../../compare/index.js'), import('../../gallery/index.js')]);
  const g = await openGallery(db, { collection });
  let site;
  try {
    site = await siteCalibration(g, model, metric);
  } finally {
    await g.close();
  }
  if (!site) throw new FacekitError('NOT_FOUND', `collection ${collection ?? 'default'} of ${db} has no calibration fitted for ${model} / ${metric}: run facekit calibrate --db ${db}${collection ? ` --collection ${collection}` : ''} FOLDER`);
  const out: CalibrationOnPairs[] = [];
  try {
    out.push(calibrationOnPairs(`shipped (${model} / ${metric})`, getCalibration(model, metric, SHIPPED_CALIBRATIONS_DIR), scored));
  } catch {
    // no shipped calibration for this model and metric (a head, a user's own model)
  }
  out.push(calibrationOnPairs(`fitted ${site.fittedAt.slice(0, 10)} on ${site.calibration.pairs.genuine}+${site.calibration.pairs.impostor} pairs`, site.calibration, scored));
  return out;
}
