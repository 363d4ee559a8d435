import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { saveCalibration, validateCalibration } from '../../compare/index.js';
import { FacekitError } from '../../errors/index.js';
import { runCalibration } from '../../eval/run.js';
import { addFaceOptions, addPairSourceOptions, pairSourceFrom, type CliPairSource, faceOptionsFrom, metricFrom, type CliFaceOptions } from '../face-options.js';
import { progress } from '../progress.js';
import { action, printJson } from '../run.js';

interface CalibrateCliOptions extends CliFaceOptions, CliPairSource {
  targetFar: number;
  out?: string;
}

/**
 * facekit calibrate: fit the (model, metric) calibration record (threshold at a target FAR and the
 * distance -> P(same) map) on labelled pairs, and store it where verify and identify look for it.
 */
export function registerCalibrate(program: Command): void {
  addPairSourceOptions(addFaceOptions(program.command('calibrate').description('fit the threshold and confidence map of a model and metric on labelled faces')), 300)
    .option('--target-far <f>', 'false accept rate the threshold is chosen for', parseFloat, 1e-3)
    .option('--out <file.json>', 'write here instead of src/compare/calibrations/<model>.<metric>.json')
    .action(action(async (o: CalibrateCliOptions) => {
      if (!(o.targetFar > 0 && o.targetFar < 1)) throw new FacekitError('BAD_ARGUMENT', `--target-far must be in (0, 1), got ${o.targetFar}`);
      const bar = progress('embedding');
      const { calibration, result } = await runCalibration({
        ...faceOptionsFrom(o),
        metric: metricFrom(o),
        ...pairSourceFrom(o),
        targetFar: o.targetFar,
        onProgress: bar.update,
      });
      bar.stop();
      let path: string;
      if (o.out) {
        validateCalibration(calibration, 'calibration');
        mkdirSync(dirname(o.out), { recursive: true });
        writeFileSync(o.out, JSON.stringify(calibration, null, 2) + '\n');
        path = o.out;
      } else {
        path = saveCalibration(calibration);
      }
      if (o.json) return printJson({ path, calibration });
      const c = calibration;
      console.log(`calibration for ${c.model} / ${c.metric} on ${c.dataset}: ${c.pairs.genuine} genuine, ${c.pairs.impostor} impostor pairs`);
      console.log(`  threshold ${c.threshold.toFixed(4)} for FAR ${c.targetFar} (reached FAR ${c.far?.toExponential(2)}, TAR ${((c.tar ?? NaN) * 100).toFixed(2)}%)`);
      console.log(`  P(same) = sigmoid(${c.logistic.a.toFixed(3)} d + ${c.logistic.b.toFixed(3)}); 10-fold accuracy ${(100 * result.accuracyMean).toFixed(2)}%, AUC ${result.auc.toFixed(4)}`);
      console.log(`  written to ${path}`);
    }));
}
