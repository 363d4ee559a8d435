import type { Command } from 'commander';
import { calibrationPath, refuseShippedCalibrationPath, removeCalibration, saveCalibration, userCalibrationDir, writeCalibration } from '../../compare/index.js';
import { FacekitError } from '../../errors/index.js';
import { calibrationKey, runCalibration } from '../../eval/run.js';
import { addFaceOptions, addPairSourceOptions, pairSourceFrom, type CliPairSource, faceOptionsFrom, metricFrom, type CliFaceOptions } from '../face-options.js';
import { progress } from '../progress.js';
import { action, printJson } from '../run.js';

interface CalibrateCliOptions extends CliFaceOptions, CliPairSource {
  targetFar: number;
  out?: string;
  reset?: boolean;
}

/**
 * facekit calibrate: fit the (model, metric) calibration record (threshold at a target FAR and the
 * distance -> P(same) map) on labelled pairs, and store it in the user's data directory, where
 * verify and identify look before the calibration facekit ships. --reset removes that fit again.
 */
export function registerCalibrate(program: Command): void {
  addPairSourceOptions(addFaceOptions(program.command('calibrate').description('fit the threshold and confidence map of a model and metric on labelled faces')), 300)
    .option('--target-far <f>', 'false accept rate the threshold is chosen for', parseFloat, 1e-3)
    .option('--out <file.json>', `write here instead of ${userCalibrationDir()}/<model>.<metric>.json (where verify looks)`)
    .option('--reset', 'remove your fitted calibration of this model and metric, so the one facekit ships is used again')
    .action(action(async (o: CalibrateCliOptions) => {
      if (o.reset) return reset(o);
      if (!(o.targetFar > 0 && o.targetFar < 1)) throw new FacekitError('BAD_ARGUMENT', `--target-far must be in (0, 1), got ${o.targetFar}`);
      if (o.out) refuseShippedCalibrationPath(o.out); // before any model runs, not after the whole fit
      const bar = progress('embedding');
      const { calibration, result } = await runCalibration({
        ...faceOptionsFrom(o),
        metric: metricFrom(o),
        ...pairSourceFrom(o),
        targetFar: o.targetFar,
        onProgress: bar.update,
      });
      bar.stop();
      const path = o.out ? writeCalibration(calibration, o.out) : saveCalibration(calibration);
      if (o.json) return printJson({ path, calibration });
      const c = calibration;
      console.log(`calibration for ${c.model} / ${c.metric} on ${c.dataset}: ${c.pairs.genuine} genuine, ${c.pairs.impostor} impostor pairs`);
      console.log(`  threshold ${c.threshold.toFixed(4)} for FAR ${c.targetFar} (reached FAR ${c.far?.toExponential(2)}, TAR ${((c.tar ?? NaN) * 100).toFixed(2)}%)`);
      console.log(`  P(same) = sigmoid(${c.logistic.a.toFixed(3)} d + ${c.logistic.b.toFixed(3)}); 10-fold accuracy ${(100 * result.accuracyMean).toFixed(2)}%, AUC ${result.auc.toFixed(4)}`);
      console.log(`  written to ${path}`);
    }));
}

/** --reset: drop the user's fit; report it and what lookups read from now on. */
function reset(o: CalibrateCliOptions): void {
  if (o.out || o.dataset || o.pairs) throw new FacekitError('BAD_ARGUMENT', '--reset fits nothing: drop --dataset, --pairs and --out');
  const { model, metric } = calibrationKey({ ...faceOptionsFrom(o), metric: metricFrom(o) });
  const removed = removeCalibration(model, metric);
  const now = calibrationPath(model, metric) ?? null;
  if (o.json) return printJson({ model, metric, removed: removed ?? null, now });
  console.log(removed ? `removed ${removed}` : `no fitted calibration of ${model} / ${metric} in ${userCalibrationDir()}`);
  console.log(now ? `  ${model} / ${metric} now uses ${now}` : `  ${model} / ${metric} has no calibration now: verify needs a threshold`);
}
