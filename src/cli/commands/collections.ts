import type { Command } from 'commander';
import { FacekitError } from '../../errors/index.js';
import { moveToModel } from '../../identify/index.js';
import { progress } from '../progress.js';
import { action, printJson } from '../run.js';
import { dbOption, withGallery, type DbOptions } from './gallery.js';

const onOff = (v: string): boolean => {
  if (v === 'on' || v === 'true') return true;
  if (v === 'off' || v === 'false') return false;
  throw new FacekitError('BAD_ARGUMENT', `give on or off, got ${v}`);
};

/**
 * facekit collections: several isolated galleries in one store, each with its model, fitted
 * calibration and people. Thin shell over Gallery's collection calls.
 */
export function registerCollections(program: Command): void {
  const cmd = program.command('collections').description('isolated galleries in one store: list, create, show, delete, move to another model');

  cmd.command('list').description('every collection with its model and size').addOption(dbOption()).option('--json', 'print JSON')
    .action(action(async (o: DbOptions & { json?: boolean }) => {
      const rows = await withGallery(o, (g) => g.listCollections());
      if (o.json) return printJson({ collections: rows });
      for (const c of rows) {
        const cal = Object.keys(c.settings.calibrations ?? {});
        console.log(`${c.name}  model ${c.model ?? '(any)'}${c.settings.keepCrops ? '  keeps crops' : ''}${cal.length ? `  fitted: ${cal.join(', ')}` : ''}`);
      }
    }));

  cmd.command('create <name>').description('a new, empty collection').addOption(dbOption())
    .option('--model <id>', 'recognition model of its embeddings (default: fixed by nothing, any model)')
    .option('--keep-crops', 'keep enrolled face crops (encrypted with the gallery key when one is set), so the collection can move to another model later')
    .option('--json', 'print JSON')
    .action(action(async (name: string, o: DbOptions & { model?: string; keepCrops?: boolean; json?: boolean }) => {
      const c = await withGallery(o, (g) => g.createCollection({ name, model: o.model ?? null, settings: o.keepCrops ? { keepCrops: true } : {} }));
      if (o.json) return printJson(c);
      console.log(`created collection ${c.name} (model ${c.model ?? 'any'}${c.settings.keepCrops ? ', keeping face crops' : ''})`);
    }));

  cmd.command('show <name>').description('one collection: model, settings, fitted calibrations, people and faces').addOption(dbOption()).option('--json', 'print JSON')
    .action(action(async (name: string, o: DbOptions & { json?: boolean }) => {
      const r = await withGallery({ ...o, collection: name }, async (g) => ({
        ...(await g.collectionInfo()),
        people: (await g.listPeople({ limit: 1 })).total,
        faces: await g.store.countFaces(),
        crops: await g.store.cropCounts(),
      }));
      if (o.json) return printJson(r);
      console.log(`${r.name}: model ${r.model ?? '(any)'}, ${r.people} people, ${r.faces} faces, created ${r.created}`);
      console.log(`  face crops ${r.settings.keepCrops ? 'kept' : 'not kept'}; with a crop: ${r.crops.map((c) => `${c.model} ${c.withCrop}/${c.faces}`).join(', ') || '-'}`);
      for (const [key, s] of Object.entries(r.settings.calibrations ?? {})) {
        console.log(`  calibration ${key}: threshold ${s.calibration.threshold.toFixed(4)} at FAR ${s.calibration.targetFar}, fitted ${s.fittedAt} on ${s.source} (${s.calibration.pairs.genuine} genuine, ${s.calibration.pairs.impostor} impostor pairs)`);
      }
    }));

  cmd.command('delete <name>').description('remove a collection with all its people, faces and kept crops').addOption(dbOption())
    .option('--yes', 'really delete (required)')
    .action(action(async (name: string, o: DbOptions & { yes?: boolean }) => {
      if (!o.yes) throw new FacekitError('BAD_ARGUMENT', `deleting collection ${name} removes all its people and faces: add --yes`);
      const r = await withGallery({ db: o.db }, (g) => g.deleteCollection(name));
      console.log(`deleted collection ${name}: ${r.people} people, ${r.faces} faces`);
    }));

  cmd.command('keep-crops <name> <on|off>').description('keep the face crops of future enrollments (needed to move to another model)').addOption(dbOption())
    .action(action(async (name: string, value: string, o: DbOptions) => {
      const keep = onOff(value);
      await withGallery({ db: o.db }, async (g) => {
        const c = await g.store.getCollection(name);
        await g.updateCollection(name, { settings: { ...c.settings, keepCrops: keep } });
      });
      console.log(`collection ${name} ${keep ? 'keeps' : 'no longer keeps'} face crops of new enrollments`);
    }));

  cmd.command('set-model <name> <model>').description('move a collection to another recognition model: every face is re-embedded from its kept crop').addOption(dbOption())
    .option('--json', 'print JSON')
    .action(action(async (name: string, model: string, o: DbOptions & { json?: boolean }) => {
      const bar = progress('re-embedding');
      const r = await withGallery({ ...o, collection: name }, (g) => moveToModel(g, model, { onProgress: bar.update }));
      bar.stop();
      if (o.json) return printJson(r);
      console.log(`collection ${r.collection} moved from ${r.from.join(', ') || '(no faces)'} to ${r.to}: ${r.faces} faces re-embedded`);
    }));
}
