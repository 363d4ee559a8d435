/**
 * Reliability checks shared by both stores: concurrent writer/reader processes for a bounded time,
 * and a writer killed with SIGKILL mid-loop. Afterwards every acknowledged (committed) enrollment
 * must be there, whole, and no enrollment may be partial.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openGallery, type Gallery } from '../../src/gallery/index.ts';

const WORKER = fileURLToPath(new URL('./fixtures/worker.ts', import.meta.url));
/** the issue asks for 30 s; default shorter to keep `npm test` quick on 2 cores */
export const STRESS_SECONDS = Math.min(30, Number(process.env.FACEKIT_GALLERY_STRESS_SECONDS ?? 8));
export const PROCESSES = 8;

export interface Ack {
  personId: string;
  faceIds: string[];
  at: number;
}

export function startWorker(loc: string, seconds: number, worker: number, mode = 'loop'): { child: ChildProcess; acks: Ack[]; bad: string[]; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, loc, String(seconds), String(worker), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acks: Ack[] = [];
  const bad: string[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const [tag, personId, faces, at] = line.split(' ');
      if (tag === 'ACK') acks.push({ personId, faceIds: faces.split(','), at: Number(at ?? Date.now()) });
      else if (tag === 'BAD') bad.push(line);
    }
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) bad.push(`worker ${worker} exited ${code}: ${err.slice(-2000)}`);
      resolve(code);
    }),
  );
  return { child, acks, bad, done };
}

export async function assertAcksIntact(g: Gallery, acks: Ack[], facesPerPerson: number): Promise<void> {
  for (const a of acks) {
    const faces = await g.listFaces(a.personId);
    assert.deepEqual(faces.map((f) => f.id).sort(), [...a.faceIds].sort(), `acknowledged enrollment ${a.personId} is whole`);
    // the default search path: past the HNSW threshold too, a stored vector searched with itself
    // is found (bit-identical lookup), so a miss here means a lost face, not graph recall
    const hit = g.search('stress-model', faces[0].embedding, { topK: 1 }).candidates[0];
    assert.equal(hit.faceId, faces[0].id, `acknowledged face ${faces[0].id} is found by search`);
  }
  // no partial enrollment: every stored person has all their faces
  for await (const people of g.store.allPeople()) {
    for (const p of people) assert.equal((await g.listFaces(p.id)).length, facesPerPerson, `person ${p.id} has all ${facesPerPerson} faces`);
  }
}

export function reliabilityTests(label: string, newLocation: () => Promise<string>): void {
  test(`${label}: ${PROCESSES} concurrent writer/reader processes for ${STRESS_SECONDS} s lose no acknowledged enrollment`, { timeout: (STRESS_SECONDS + 60) * 1000 }, async (t) => {
    const loc = await newLocation();
    // create the schema once, so the workers do not all race to migrate a new file
    await (await openGallery(loc, { encryptionKey: null })).close();
    const workers = Array.from({ length: PROCESSES }, (_, i) => startWorker(loc, STRESS_SECONDS, i));
    await Promise.all(workers.map((w) => w.done));
    const bad = workers.flatMap((w) => w.bad);
    assert.deepEqual(bad, []);
    const acks = workers.flatMap((w) => w.acks);
    assert.ok(acks.length >= PROCESSES, `every worker committed something (${acks.length} enrollments)`);
    t.diagnostic(`${acks.length} enrollments (3 faces each) acknowledged by ${PROCESSES} processes in ${STRESS_SECONDS} s`);
    const g = await openGallery(loc, { encryptionKey: null });
    try {
      assert.equal((await g.listPeople()).total, acks.length);
      await assertAcksIntact(g, acks, 3);
    } finally {
      await g.close();
    }
  });

  test(`${label}: a writer killed with SIGKILL leaves every committed enrollment whole and none partial`, { timeout: 90_000 }, async (t) => {
    const loc = await newLocation();
    await (await openGallery(loc, { encryptionKey: null })).close();
    const w = startWorker(loc, 0, 99);
    const started = Date.now();
    while (w.acks.length < 25 && Date.now() - started < 60_000 && w.child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    // kill at an arbitrary point within the next enrollment
    await new Promise((r) => setTimeout(r, Math.random() * 5));
    w.child.kill('SIGKILL');
    await w.done;
    assert.ok(w.acks.length >= 25, `the writer got going before the kill (${w.acks.length} acks; ${w.bad.join(' ')})`);
    const g = await openGallery(loc, { encryptionKey: null });
    try {
      const total = (await g.listPeople()).total;
      t.diagnostic(`killed after ${w.acks.length} acknowledged enrollments; ${total} stored`);
      // at most one commit can have landed without its ACK line being read
      assert.ok(total === w.acks.length || total === w.acks.length + 1, `${total} people stored for ${w.acks.length} acknowledged`);
      await assertAcksIntact(g, w.acks, 3);
    } finally {
      await g.close();
    }
  });
}
