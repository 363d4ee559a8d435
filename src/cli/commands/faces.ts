import type { Command } from 'commander';
import { loadAndFindFaces, represent } from '../../pipeline/index.js';
import { summarizeFace } from '../../face.js';
import { verify } from '../../verify/index.js';
import { addDrawOption, addFaceOptions, addMinQualityOption, drawPair, drawTo, faceOptionsFrom, metricFrom, qualityPhrase, type CliFaceOptions } from '../face-options.js';
import { action, printJson } from '../run.js';
import { addAntiSpoofOptions, antiSpoofFrom, spoofPhrase, type CliAntiSpoof } from './analyze.js';

const fmtBox = (b: { x: number; y: number; w: number; h: number }) => `x=${b.x.toFixed(0)} y=${b.y.toFixed(0)} w=${b.w.toFixed(0)} h=${b.h.toFixed(0)}`;

export function registerFaceCommands(program: Command): void {
  addDrawOption(addFaceOptions(program.command('detect <image>').description('find faces: boxes, scores, five landmarks')))
    .action(action(async (image: string, o: CliFaceOptions) => {
      const t0 = performance.now();
      const { faces } = await loadAndFindFaces(image, faceOptionsFrom(o));
      const ms = performance.now() - t0;
      if (o.draw) await drawTo(o.draw, image, faces);
      if (o.json) return printJson({ faces: faces.map(summarizeFace), ms });
      console.log(`${faces.length} face${faces.length === 1 ? '' : 's'} in ${ms.toFixed(0)} ms`);
      faces.forEach((f, i) => console.log(`  #${i + 1} ${fmtBox(f.box)} score=${f.score.toFixed(3)} ${qualityPhrase(f.quality)}`));
    }));

  addDrawOption(addFaceOptions(program.command('represent <image>').description('one embedding per face')))
    .action(action(async (image: string, o: CliFaceOptions) => {
      const r = await represent(image, faceOptionsFrom(o));
      if (o.draw) await drawTo(o.draw, image, r.faces);
      const rows = r.faces.map((f) => ({ ...summarizeFace(f), model: f.embedding!.model, embedding: Array.from(f.embedding!.vector) }));
      if (o.json) return printJson({ faces: rows, ms: r.ms });
      console.log(`${rows.length} face${rows.length === 1 ? '' : 's'} in ${r.ms.toFixed(0)} ms`);
      rows.forEach((f, i) => console.log(`  #${i + 1} ${fmtBox(f.box)} ${qualityPhrase(f.quality)} ${f.model} [${f.embedding.slice(0, 4).map((x) => x.toFixed(3)).join(', ')}, ...] (${f.embedding.length}-d)`));
    }));

  addMinQualityOption(addDrawOption(addAntiSpoofOptions(addFaceOptions(program.command('verify <image1> <image2>').description('are these the same person?'))), 'write both images side by side, faces drawn, the verdict as a caption'))
    .option('--threshold <n>', 'override the calibrated threshold', parseFloat)
    .option('--calibration <file.json>', 'decide with this calibration (as calibrate --out writes) instead of the stored one')
    .option('--db <file|url>', 'decide with the calibration fitted for this gallery (facekit calibrate --db), when it has one')
    .option('--collection <name>', 'the collection of --db (default: default)')
    .action(action(async (a: string, b: string, o: CliFaceOptions & CliAntiSpoof & { threshold?: number; calibration?: string; minQuality?: number; db?: string; collection?: string }) => {
      const calibration = o.db && !o.calibration ? await galleryCalibration(o) : o.calibration;
      const r = await verify(a, b, { ...faceOptionsFrom(o), metric: metricFrom(o), threshold: o.threshold, calibration, antiSpoof: antiSpoofFrom(o), minQuality: o.minQuality });
      if (o.draw) await drawPair(o.draw, [a, b], r);
      if (o.json) return printJson(r);
      if (r.undecided) console.log(`UNDECIDED: ${r.undecided.reason}`);
      else console.log(`${r.verified ? 'SAME person' : 'DIFFERENT people'}: distance ${r.distance.toFixed(4)} (threshold ${r.threshold.toFixed(4)}, ${r.metric}), confidence ${(100 * r.confidence).toFixed(1)}%`);
      if (r.undecided) console.log(`  distance ${r.distance.toFixed(4)} (threshold ${r.threshold.toFixed(4)}, ${r.metric}), not decided on`);
      console.log(`  faces: first ${qualityPhrase(r.faces[0].quality)}, second ${qualityPhrase(r.faces[1].quality)}`);
      console.log(`  model ${r.model}, detector ${r.detector}, ${r.ms.toFixed(0)} ms${r.note ? `; ${r.note}` : ''}`);
      if (r.isReal !== undefined) {
        console.log(`  anti-spoofing: ${r.isReal ? 'both faces look live' : 'a face looks PRESENTED (photo or screen), not live'}; first ${spoofPhrase(r.faces[0].spoof!)}, second ${spoofPhrase(r.faces[1].spoof!)}`);
      }
    }));
}

/** The calibration fitted for the --db gallery's collection for this model and metric, if it has one (else the stored ones decide). */
async function galleryCalibration(o: CliFaceOptions & { db?: string; collection?: string }) {
  const [{ openGallery, siteCalibration }, { calibrationKey }] = await Promise.all([import('../../gallery/index.js'), import('../../eval/run.js')]);
  const g = await openGallery(o.db!, { collection: o.collection });
  try {
    const collection = await g.collectionInfo();
    const { model, metric } = calibrationKey({ ...faceOptionsFrom(o), model: o.model ?? collection.model ?? undefined, metric: metricFrom(o) });
    return (await siteCalibration(g, model, metric))?.calibration;
  } finally {
    await g.close();
  }
}
