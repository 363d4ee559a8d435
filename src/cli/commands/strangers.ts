/**
 * Strangers, sightings, searching back through footage and corrections: thin shells over
 * src/strangers. `facekit watch --db G` (or a server's stream) fills them.
 */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { FacekitError } from '../../errors/index.js';
import type { Gallery } from '../../identify/index.js';
import { correctClusterFace, correctPhoto, correctSighting, FootageStore, listSightings, merge, nameStranger, searchFootage, unmerge, type Sighting } from '../../strangers/index.js';
import { addFaceOptions, faceOptionsFrom, metricFrom, type CliFaceOptions } from '../face-options.js';
import { action, printJson } from '../run.js';
import { collectionOption, dbOption, withGallery } from './gallery.js';

interface DbOptions { db: string; collection?: string; json?: boolean }

function positive(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new FacekitError('BAD_ARGUMENT', `--${name}: bad value '${v}'`);
  return n;
}

function sightingLine(s: Sighting): string {
  const who = s.name ? `${s.name}${s.strangerId ? ` (was ${s.strangerId})` : ''}` : s.strangerId;
  return `${s.startedAt}  ${who}  ${s.source} ${s.startTime.toFixed(1)}-${s.endTime.toFixed(1)} s  quality ${s.quality ?? '-'}  [${s.id}]`;
}

async function footage<T>(o: DbOptions, fn: (g: Gallery, store: FootageStore) => Promise<T>): Promise<T> {
  return withGallery(o, (g) => fn(g, FootageStore.of(g)));
}

export function registerStrangerCommands(program: Command): void {
  const strangers = program.command('strangers').description('unknown faces kept under stable ids: list, name, merge, un-merge');
  strangers.command('list').description('strangers not yet named (--all: merged and named ones too)').addOption(dbOption()).addOption(collectionOption()).option('--all', 'also merged and named strangers').option('--json', 'print JSON')
    .action(action(async (o: DbOptions & { all?: boolean }) => footage(o, async (_g, store) => {
      const list = await store.listStrangers({ all: o.all });
      if (o.json) return printJson({ strangers: list });
      if (list.length === 0) console.log('no strangers in the gallery');
      for (const s of list) console.log(`${s.id}  ${s.sightings} sightings  ${s.faces} faces  first ${s.created}  last ${s.lastSeen}${s.mergedInto ? `  merged into ${s.mergedInto}` : ''}${s.personId ? `  named (${s.personId})` : ''}`);
    })));
  strangers.command('name <stranger> <name>').description('make a stranger a person (an existing one of that name, or a new one) with all its sightings').addOption(dbOption()).addOption(collectionOption()).option('--json', 'print JSON')
    .action(action(async (id: string, name: string, o: DbOptions) => footage(o, async (g) => {
      const r = await nameStranger(g, id, name);
      if (o.json) return printJson(r);
      console.log(`${r.strangers.join(', ')} is now ${r.person.name} (${r.person.id}${r.created ? ', new' : ''}): ${r.faces} faces enrolled, ${r.sightings} sightings`);
    })));
  strangers.command('merge <from> <into>').description('two strangers are one: <from> (and what was merged into it) counts as <into>').addOption(dbOption()).addOption(collectionOption())
    .action(action(async (from: string, into: string, o: DbOptions) => footage(o, async (_g, store) => {
      await store.mergeStrangers(from, into);
      console.log(`${from} merged into ${(await store.rootOf(into)).id}`);
    })));
  strangers.command('unmerge <stranger>').description('undo a merge: the stranger stands on its own again with its own faces and sightings').addOption(dbOption()).addOption(collectionOption())
    .action(action(async (id: string, o: DbOptions) => footage(o, async (_g, store) => {
      await store.unmergeStranger(id);
      console.log(`${id} is on its own again`);
    })));

  program.command('merge <from> <into>').description('two people (ids or names) or two strangers are one: <from> joins <into> with its faces and sightings (undo: unmerge)').addOption(dbOption()).addOption(collectionOption())
    .action(action(async (from: string, into: string, o: DbOptions) => withGallery(o, async (g) => {
      const r = await merge(g, from, into);
      console.log(`${from} merged into ${r.into}`);
    })));
  program.command('unmerge <id>').description('undo a merge: the person (by the id it had) or the stranger stands on its own again').addOption(dbOption()).addOption(collectionOption())
    .action(action(async (id: string, o: DbOptions) => withGallery(o, async (g) => {
      const r = await unmerge(g, id);
      console.log(`${r.id} is on its own again`);
    })));

  program.command('sightings').description('when and where people and strangers were seen (from watch and server streams)').addOption(dbOption()).addOption(collectionOption())
    .option('--person <person>', 'a person (id or name)').option('--stranger <id>', 'a stranger (and strangers merged into it)')
    .option('--since <when>', 'ISO time, or a duration back from now (2h, 7d)').option('--source <source>', 'only this file or stream')
    .option('--limit <n>', 'at most this many (default 1000)')
    .option('--keep-days <days>', 'set how long sightings and unnamed strangers are kept (0: for ever), then prune')
    .option('--not <person>', 'with --id: this sighting is not that person (a correction that sticks)').option('--id <sighting>', 'a sighting, for --not')
    .option('--json', 'print JSON')
    .action(action(async (o: DbOptions & { person?: string; stranger?: string; since?: string; source?: string; limit?: string; keepDays?: string; not?: string; id?: string }) => footage(o, async (g, store) => {
      if (o.keepDays !== undefined) {
        const days = Number(o.keepDays);
        if (!(days >= 0)) throw new FacekitError('BAD_ARGUMENT', `--keep-days: bad value '${o.keepDays}'`);
        await store.setRetentionDays(days === 0 ? null : days);
        const pruned = await store.prune();
        console.log(`sightings kept ${days === 0 ? 'for ever' : `${days} days`}; pruned ${pruned.sightings} sightings and ${pruned.strangers} strangers`);
        return;
      }
      if (o.id || o.not) {
        if (!o.id) throw new FacekitError('BAD_ARGUMENT', '--not needs --id <sighting>');
        const c = await correctSighting(g, o.id, o.not);
        if (o.json) return printJson({ correction: { id: c.id, personId: c.personId, origin: c.origin, ref: c.ref } });
        console.log(`noted: sighting ${o.id} is not ${o.not ?? c.personId}`);
        return;
      }
      const list = await listSightings(g, { person: o.person, stranger: o.stranger, since: o.since, source: o.source, limit: positive('limit', o.limit) });
      if (o.json) return printJson({ sightings: list });
      if (list.length === 0) console.log('no sightings');
      for (const s of list) console.log(sightingLine(s));
    })));

  addFaceOptions(program.command('search-footage <photo>').description('every sighting of the face in a photo (its largest face), nearest first'))
    .addOption(dbOption()).addOption(collectionOption())
    .option('--threshold <d>', 'farthest distance returned (default: the calibrated threshold)')
    .option('--limit <n>', 'at most this many (default 100)')
    .action(action(async (photo: string, o: CliFaceOptions & DbOptions & { threshold?: string; limit?: string }) => footage(o, async (g) => {
      const r = await searchFootage(g, photo, { ...faceOptionsFrom(o), metric: metricFrom(o), threshold: positive('threshold', o.threshold), limit: positive('limit', o.limit), thumbnails: !!o.json });
      if (o.json) return printJson(r);
      if (r.hits.length === 0) console.log(`no sighting within ${r.threshold} of the face`);
      for (const h of r.hits) console.log(`${h.distance.toFixed(4)}  ${sightingLine(h.sighting)}`);
    })));

  addFaceOptions(program.command('correct <photo|folder>').description('"this face is not that person": later identification respects it (a photo, or a face of a clustered folder)'))
    .addOption(dbOption()).addOption(collectionOption())
    .requiredOption('--not <person>', 'the person the face is not (id or name)')
    .option('--face <n>', 'which face: of a photo, its index in identify\'s result (default the largest); of a folder, its face id in `facekit cluster`\'s result')
    .action(action(async (photo: string, o: CliFaceOptions & DbOptions & { not: string; face?: string }) => footage(o, async (g) => {
      const face = o.face === undefined ? undefined : Number(o.face);
      if (statSync(photo, { throwIfNoEntry: false })?.isDirectory()) {
        if (face === undefined) throw new FacekitError('BAD_ARGUMENT', 'a folder needs --face <id> (a face id of facekit cluster\'s result)');
        await correctClusterFace(g, photo, face, o.not, faceOptionsFrom(o));
      } else await correctPhoto(g, photo, o.not, { ...faceOptionsFrom(o), face });
      console.log(`noted: that face is not ${o.not}`);
    })));
}
