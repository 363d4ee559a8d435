/**
 * Stranger ids end to end on the sample videos (../shared/data/video): for each clip, a fresh
 * gallery with no one enrolled, `facekit watch --db` twice over the clip, then the first stranger
 * named. Checks what issue 23 asks of a real clip: the second run gives every track the id the
 * first gave it, and naming a stranger makes all its earlier sightings (both runs) carry the name.
 * Tracks whose faces never pass the quality gate (dark, blurred, turned away) get no id at all,
 * and are counted as such.
 *
 *   npm run build && npx tsx bench/strangers-video.ts    # -> bench/results/strangers-video.json
 *
 * Exits 1 when a check fails. Runs the built CLI (bin/facekit.js), as a user would.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const videos = process.env.FACEKIT_DATA ? join(process.env.FACEKIT_DATA, 'video') : join(root, '..', 'shared', 'data', 'video');
if (!existsSync(videos)) {
  console.error(`no sample videos at ${videos} (set FACEKIT_DATA to the evaluation data folder)`);
  process.exit(2);
}

function facekit(args: string[]): string {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'facekit.js'), ...args], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`facekit ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

interface Track { trackId: number; firstSeen: number; lastSeen: number; frames: number; name: string | null }

function watch(clip: string, db: string, events: string): Track[] {
  facekit(['watch', clip, '--db', db, '--events', events, '--quiet', '--no-spoof', '--source-name', 'clip']);
  return readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Track & { type: string })
    .filter((e) => e.type === 'track_ended')
    .map(({ trackId, firstSeen, lastSeen, frames, name }) => ({ trackId, firstSeen, lastSeen, frames, name }))
    .sort((a, b) => a.firstSeen - b.firstSeen || a.trackId - b.trackId);
}

const load = [loadavg()];
const clips = readdirSync(videos).filter((f) => f.endsWith('.mp4')).sort();
const results = [];
let failed = 0;
for (const file of clips) {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-strangers-video-'));
  const db = join(dir, 'g.db');
  const clip = join(videos, file);
  const first = watch(clip, db, join(dir, 'run1.jsonl'));
  const second = watch(clip, db, join(dir, 'run2.jsonl'));
  const sameIds = first.length === second.length && first.every((t, i) => t.name === second[i].name);
  const strangers = [...new Set(first.map((t) => t.name).filter((n): n is string => n !== null))];
  let named: { stranger: string; sightings: number; allCarryName: boolean } | null = null;
  if (strangers.length > 0) {
    const stranger = strangers[0];
    const r = JSON.parse(facekit(['strangers', 'name', stranger, 'Visitor', '--db', db, '--json'])) as { sightings: number };
    const { sightings } = JSON.parse(facekit(['sightings', '--person', 'Visitor', '--db', db, '--json'])) as { sightings: { name: string; strangerId: string }[] };
    const expected = [...first, ...second].filter((t) => t.name === stranger).length;
    named = { stranger, sightings: sightings.length, allCarryName: sightings.length === expected && r.sightings === expected && sightings.every((s) => s.name === 'Visitor' && s.strangerId === stranger) };
  }
  const ok = sameIds && (named === null || named.allCarryName);
  if (!ok) failed++;
  const row = {
    clip: file,
    tracks: first.length,
    tracksWithId: first.filter((t) => t.name !== null).length,
    strangers: strangers.length,
    run1: first.map((t) => t.name),
    run2: second.map((t) => t.name),
    sameIdsInBothRuns: sameIds,
    named,
    ok,
  };
  results.push(row);
  console.log(`${file}: ${row.tracks} tracks, ${row.tracksWithId} with an id, ${row.strangers} strangers; run 1 ${JSON.stringify(row.run1)}; run 2 ${JSON.stringify(row.run2)}; ` +
    `same ids: ${sameIds}; ${named ? `${named.stranger} named: ${named.sightings} sightings, all carry the name: ${named.allCarryName}` : 'no stranger to name'}`);
  rmSync(dir, { recursive: true, force: true });
}
load.push(loadavg());
const out = join(here, 'results', 'strangers-video.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ bench: 'strangers-video', date: new Date().toISOString(), loadAverage: load.map((l) => l.map((x) => Math.round(x * 100) / 100)), clips: results }, null, 2)}\n`);
console.log(`load average ${load.map((l) => l.map((x) => x.toFixed(2)).join(' ')).join(' -> ')}; wrote ${out}`);
process.exit(failed ? 1 : 0);
