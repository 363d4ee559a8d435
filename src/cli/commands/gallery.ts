import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { FacekitError } from '../../errors/index.js';
import {
  describePerson, enroll, exportGallery, findPerson, identify, importGallery, openGallery, peopleWithFaceCounts, type Gallery,
} from '../../identify/index.js';
import { KNOWN_FACE_COLOR, UNKNOWN_FACE_COLOR } from '../../image/index.js';
import { addDrawOption, addFaceOptions, drawTo, faceOptionsFrom, metricFrom, type CliFaceOptions } from '../face-options.js';
import { progress } from '../progress.js';
import { action, printJson } from '../run.js';
import { addAntiSpoofOptions, antiSpoofFrom, spoofPhrase, type CliAntiSpoof } from './analyze.js';

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.bmp', '.pgm', '.ppm', '.pnm', '.avif']);

interface DbOptions { db: string }

export async function withGallery<T>(db: string, fn: (g: Gallery) => Promise<T>): Promise<T> {
  const g = await openGallery(db);
  try {
    return await fn(g);
  } finally {
    await g.close();
  }
}

function imagesIn(dir: string): string[] {
  return readdirSync(dir).filter((f) => IMAGE_EXT.has(extname(f).toLowerCase())).sort().map((f) => join(dir, f));
}

export const dbOption = () => new Option('--db <file|url>', 'gallery: SQLite file or postgres:// URL').makeOptionMandatory();

export function registerGalleryCommands(program: Command): void {
  addAntiSpoofOptions(addFaceOptions(program.command('enroll [images...]').description('add photos of a person to the gallery (one face per photo)')))
    .addOption(dbOption())
    .option('--name <name>', 'the person: added to the one person of that name, or a new person')
    .option('--person <id>', 'an existing person id')
    .option('--dir <dir>', 'enroll every <dir>/<name>/<images> subfolder as a person')
    .option('--models <ids>', 'embed with each of these comma-separated models (default: --model)')
    .option('--allow-largest', 'a photo with several faces enrolls its largest')
    .action(action(async (images: string[], o: CliFaceOptions & CliAntiSpoof & DbOptions & { name?: string; person?: string; dir?: string; models?: string; allowLargest?: boolean }) => {
      const opts = { ...faceOptionsFrom(o), models: o.models?.split(',').map((s) => s.trim()).filter(Boolean), allowLargest: !!o.allowLargest, antiSpoof: antiSpoofFrom(o) };
      if (o.dir) {
        if (images.length || o.name || o.person) throw new FacekitError('BAD_ARGUMENT', '--dir takes names from its subfolders: give no images, --name or --person with it');
        const people = readdirSync(o.dir).filter((d) => statSync(join(o.dir!, d)).isDirectory()).sort();
        if (people.length === 0) throw new FacekitError('BAD_ARGUMENT', `${o.dir} has no <name>/ subfolders`);
        const jobs = people.map((name) => ({ name, images: imagesIn(join(o.dir!, name)) }));
        const total = jobs.reduce((s, j) => s + j.images.length, 0);
        const bar = progress('enrolling');
        const done: { name: string; id: string; photos: number }[] = [];
        const failed: { name: string; error: string }[] = [];
        let n = 0;
        await withGallery(o.db, async (g) => {
          for (const j of jobs) {
            try {
              if (j.images.length === 0) throw new FacekitError('BAD_ARGUMENT', `${join(o.dir!, j.name)} holds no images`);
              const r = await enroll(g, j.name, j.images, { ...opts, onProgress: (k) => bar.update(n + k, total) });
              done.push({ name: j.name, id: r.person.id, photos: r.photos.length });
            } catch (e) {
              if (!(e instanceof FacekitError)) throw e;
              failed.push({ name: j.name, error: `${e.message} [${e.code}]` });
            }
            n += j.images.length;
            bar.update(n, total);
          }
        });
        bar.stop();
        if (o.json) printJson({ enrolled: done, failed });
        else {
          console.log(`enrolled ${done.length} of ${jobs.length} people (${done.reduce((s, d) => s + d.photos, 0)} photos)`);
          for (const f of failed) process.stderr.write(`facekit: ${f.name} not enrolled: ${f.error}\n`);
        }
        if (failed.length) process.exitCode = 2;
        return;
      }
      if (images.length === 0) throw new FacekitError('BAD_ARGUMENT', 'give the photos to enroll, or --dir DIR');
      if (!o.name === !o.person) throw new FacekitError('BAD_ARGUMENT', 'give exactly one of --name NAME or --person ID');
      const r = await withGallery(o.db, async (g) => enroll(g, o.person ? { id: o.person } : o.name!, images, opts));
      if (o.json) return printJson(r);
      console.log(`${r.created ? 'new person' : 'added to'} ${r.person.name} (${r.person.id}): ${r.photos.length} photo${r.photos.length === 1 ? '' : 's'}, model${r.models.length > 1 ? 's' : ''} ${r.models.join(', ')}`);
    }));

  addDrawOption(addAntiSpoofOptions(addFaceOptions(program.command('identify <image>').description('who is in this photo? every face against the gallery'))), 'write the image with every face drawn: a name and confidence, strangers in another colour')
    .addOption(dbOption())
    .option('--threshold <n>', 'override the calibrated threshold', parseFloat)
    .option('--top-k <n>', 'candidates per face', (v) => parseInt(v, 10), 5)
    .addOption(new Option('--rule <rule>', 'per-person decision rule').choices(['min', 'mean-top2']).default('min'))
    .action(action(async (image: string, o: CliFaceOptions & CliAntiSpoof & DbOptions & { threshold?: number; topK: number; rule: 'min' | 'mean-top2' }) => {
      const r = await withGallery(o.db, (g) => identify(g, image, { ...faceOptionsFrom(o), metric: metricFrom(o), threshold: o.threshold, topK: o.topK, rule: o.rule, antiSpoof: antiSpoofFrom(o) }));
      if (o.draw) {
        await drawTo(o.draw, image, r.faces.map((f) => ({
          ...f,
          label: `${f.match ? `${f.match.name} ${(100 * f.match.confidence).toFixed(0)}%` : 'unknown'}${f.spoof && !f.spoof.isReal ? ' PRESENTED' : ''}`,
          color: f.match ? KNOWN_FACE_COLOR : UNKNOWN_FACE_COLOR,
        })));
      }
      if (o.json) return printJson(r);
      console.log(`${r.faces.length} face${r.faces.length === 1 ? '' : 's'} in ${r.ms.toFixed(0)} ms (model ${r.model}, ${r.metric} threshold ${r.threshold.toFixed(4)})`);
      r.faces.forEach((f, i) => {
        const b = f.box;
        const who = f.match ? `${f.match.name} (distance ${f.match.distance.toFixed(3)}, confidence ${(100 * f.match.confidence).toFixed(1)}%)` : `unknown${f.candidates[0] ? ` (nearest ${f.candidates[0].name} at ${f.candidates[0].distance.toFixed(3)})` : ''}`;
        console.log(`  #${i + 1} x=${b.x.toFixed(0)} y=${b.y.toFixed(0)} w=${b.w.toFixed(0)} h=${b.h.toFixed(0)}: ${who}${f.spoof ? `; ${spoofPhrase(f.spoof)}` : ''}`);
      });
    }));

  const people = program.command('people').description('list and manage the people in a gallery');
  people.command('list').description('everyone, with their number of photos').addOption(dbOption()).option('--json', 'print JSON')
    .action(action(async (o: DbOptions & { json?: boolean }) => {
      const list = await withGallery(o.db, (g) => peopleWithFaceCounts(g));
      if (o.json) return printJson({ people: list });
      if (list.length === 0) console.log('no people in the gallery');
      for (const p of list) console.log(`${p.id}  ${p.name}  (${p.faces} photo${p.faces === 1 ? '' : 's'})`);
    }));
  people.command('show <person>').description('one person (by id or name) and their faces').addOption(dbOption()).option('--json', 'print JSON')
    .action(action(async (person: string, o: DbOptions & { json?: boolean }) => {
      const p = await withGallery(o.db, async (g) => describePerson(g, (await findPerson(g, person)).id));
      if (o.json) return printJson(p);
      console.log(`${p.name} (${p.id}), created ${p.created}, ${p.faces} photo${p.faces === 1 ? '' : 's'}`);
      if (Object.keys(p.metadata).length) console.log(`  metadata ${JSON.stringify(p.metadata)}`);
      for (const f of p.faceList) console.log(`  face ${f.id} ${f.model} ${f.dims}-d score=${f.detectorScore?.toFixed(3) ?? '-'} sha256=${f.imageSha256?.slice(0, 12) ?? '-'}`);
    }));
  people.command('rename <person> <name>').description('change a person\'s name (the person by id or current name)').addOption(dbOption())
    .action(action(async (person: string, name: string, o: DbOptions) => {
      const p = await withGallery(o.db, async (g) => g.renamePerson((await findPerson(g, person)).id, name));
      console.log(`renamed ${p.id} to ${p.name}`);
    }));
  people.command('delete <person>').description('remove a person (by id or name) and all their faces').addOption(dbOption())
    .action(action(async (person: string, o: DbOptions) => {
      const { id, name, faceIds } = await withGallery(o.db, async (g) => {
        const p = await findPerson(g, person);
        return { ...p, ...(await g.deletePerson(p.id)) };
      });
      console.log(`deleted ${name} (${id}) and ${faceIds.length} face${faceIds.length === 1 ? '' : 's'}`);
    }));
  people.command('export <file>').description('write people and embeddings as JSON lines (no photos)').addOption(dbOption())
    .action(action(async (file: string, o: DbOptions) => {
      const r = await withGallery(o.db, (g) => exportGallery(g, file));
      console.log(`exported ${r.people} people, ${r.faces} faces to ${file}`);
    }));
  people.command('import <file>').description('read an export into this gallery').addOption(dbOption())
    .addOption(new Option('--on-conflict <mode>', 'when an id already exists').choices(['merge', 'error', 'new-ids']).default('merge'))
    .action(action(async (file: string, o: DbOptions & { onConflict: 'merge' | 'error' | 'new-ids' }) => {
      const r = await withGallery(o.db, (g) => importGallery(g, file, { onConflict: o.onConflict }));
      console.log(`imported ${r.peopleAdded} new people (${r.peopleExisting} already there), ${r.facesAdded} faces (${r.facesSkipped} already there)`);
    }));
}
