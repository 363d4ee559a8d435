import { resolve } from 'node:path';
import type { Command } from 'commander';
import { calibrationPath, refuseShippedCalibrationPath, removeCalibration, saveCalibration, userCalibrationDir, writeCalibration } from '../../compare/index.js';
import { FacekitError } from '../../errors/index.js';
import { calibrationKey, runCalibration } from '../../eval/run.js';
import { dropSiteCalibration, storeSiteCalibration } from '../../gallery/index.js';
import { addFaceOptions, addPairSourceOptions, pairSourceFrom, type CliPairSource, faceOptionsFrom, metricFrom, type CliFaceOptions } from '../face-options.js';
import { progress } from '../progress.js';
import { action, printJson } from '../run.js';
import { collectionOption, withGallery } from './gallery.js';

interface CalibrateCliOptions extends CliFaceOptions, CliPairSource {
  targetFar: number;
  out?: string;
  reset?: boolean;
  db?: string;
  collection?: string;
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
    .argument('[folder]', 'labelled folder of <identity>/<images> (the same as --dataset)')
    .option('--db <file|url>', 'keep the fit with this gallery (the collection of --collection) instead of your data directory: verify and identify against it use it')
    .addOption(collectionOption())
    .action(action(async (folder: string | undefined, o: CalibrateCliOptions) => {
      if (folder) {
        if (o.dataset || o.pairs) throw new FacekitError('BAD_ARGUMENT', 'give the labelled folder once: as FOLDER or --dataset (or --pairs)');
        o.dataset = folder;
      }
      if (o.collection && !o.db) throw new FacekitError('BAD_ARGUMENT', '--collection names a collection of the gallery given with --db');
      if (o.db) {
        if (o.out) throw new FacekitError('BAD_ARGUMENT', 'with --db the fit is kept in the gallery: drop --out');
        // the collection exists and decides the model before any model runs
        const collection = await withGallery({ db: o.db, collection: o.collection }, (g) => g.collectionInfo());
        o.model ??= o.head ? undefined : (collection.model ?? undefined);
      }
      if (o.reset) return o.db ? resetSite(o) : reset(o);
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
      const source = resolve(o.pairs ?? o.dataset!);
      const site = o.db ? await withGallery({ db: o.db, collection: o.collection }, async (g) => ({ collection: g.collection, ...(await storeSiteCalibration(g, calibration, source)) })) : null;
      const path = site ? `${o.db} (collection ${site.collection})` : o.out ? writeCalibration(calibration, o.out) : saveCalibration(calibration);
      if (o.json) return printJson({ path, calibration });
      const c = calibration;
      console.log(`calibration for ${c.model} / ${c.metric} on ${c.dataset}: ${c.pairs.genuine} genuine, ${c.pairs.impostor} impostor pairs`);
      console.log(`  threshold ${c.threshold.toFixed(4)} for FAR ${c.targetFar} (reached FAR ${c.far?.toExponential(2)}, TAR ${((c.tar ?? NaN) * 100).toFixed(2)}%)`);
      console.log(`  P(same) = sigmoid(${c.logistic.a.toFixed(3)} d + ${c.logistic.b.toFixed(3)}); 10-fold accuracy ${(100 * result.accuracyMean).toFixed(2)}%, AUC ${result.auc.toFixed(4)}`);
      console.log(`  written to ${path}`);
    }));
}

/** --reset --db: drop the collection's fit; verify and identify against it use the user-wide or shipped one again. */
async function resetSite(o: CalibrateCliOptions): Promise<void> {
  const { model, metric } = calibrationKey({ ...faceOptionsFrom(o), metric: metricFrom(o) });
  const removed = await withGallery({ db: o.db!, collection: o.collection }, (g) => dropSiteCalibration(g, model, metric));
  if (o.json) return printJson({ model, metric, removed });
  console.log(removed ? `removed the fitted ${model} / ${metric} calibration of ${o.db} (collection ${o.collection ?? 'default'})` : `collection ${o.collection ?? 'default'} has no fitted ${model} / ${metric} calibration`);
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
