import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attendanceCsv, Attendance, StrangerRegistry, voteIdentity, type Sample } from '../../src/video/index.ts';

const ann = { personId: 'p-ann', name: 'Ann' };
const bob = { personId: 'p-bob', name: 'Bob' };
const v = (x: number, y: number) => Float32Array.from([x, y]);
const sample = (match: Sample['match'], confidence: number, timeMs = 0): Sample => ({ match, confidence, vector: v(1, 0), quality: 1, timeMs });

test('vote: summed calibrated confidence wins, not the count of frames', () => {
  // two weak Bob frames (0.55 + 0.55 = 1.1) lose to one strong and one fair Ann frame (0.95 + 0.7)
  const r = voteIdentity([sample(bob, 0.55), sample(ann, 0.95), sample(bob, 0.55), sample(ann, 0.7)], 5)!;
  assert.equal(r.person?.name, 'Ann');
  assert.equal(r.votes, 2);
  assert.equal(r.frames, 4);
  assert.ok(Math.abs(r.confidence - 0.825) < 1e-9);
});

test('vote: frames beyond the threshold vote unknown with 1 - confidence; ties go to unknown; only the last K count', () => {
  assert.equal(voteIdentity([sample(null, 0.1), sample(null, 0.2), sample(ann, 0.9)], 5)!.person, null);
  assert.equal(voteIdentity([sample(null, 0.2), sample(ann, 0.8)], 5)!.person, null, 'a tie is unknown');
  // old Bob frames fall out of the window
  const seq = [sample(bob, 0.9), sample(bob, 0.9), sample(bob, 0.9), sample(ann, 0.8), sample(ann, 0.8)];
  assert.equal(voteIdentity(seq, 2)!.person?.name, 'Ann');
  assert.equal(voteIdentity(seq, 5)!.person?.name, 'Bob');
  assert.equal(voteIdentity([], 5), null);
});

test('strangers: the same face keeps its id, a different one gets a new id', () => {
  const reg = new StrangerRegistry('cosine', 0.3);
  assert.equal(reg.identify([v(1, 0)]), 'stranger-1');
  assert.equal(reg.identify([v(0, 1)]), 'stranger-2');
  assert.equal(reg.identify([v(0.98, 0.1)]), 'stranger-1');
  assert.equal(reg.size, 2);
});

test('attendance: a person over several tracks spans the earliest to the latest sighting; CSV fields are quoted when needed', () => {
  const a = new Attendance();
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 9, 0, s)).toISOString();
  a.add({ personId: 'p1', person: 'Doe, Jane', kind: 'person', firstSeen: 5, lastSeen: 9, firstSeenAt: at(5), lastSeenAt: at(9), frames: 100 });
  a.add({ personId: 's1', person: 'stranger-1', kind: 'stranger', firstSeen: 1, lastSeen: 2, firstSeenAt: at(1), lastSeenAt: at(2), frames: 25 });
  a.add({ personId: 'p1', person: 'Doe, Jane', kind: 'person', firstSeen: 0.5, lastSeen: 3, firstSeenAt: at(0), lastSeenAt: at(3), frames: 60 });
  const rows = a.list();
  assert.deepEqual(rows.map((r) => [r.person, r.firstSeen, r.lastSeen, r.frames, r.tracks]), [['Doe, Jane', 0.5, 9, 160, 2], ['stranger-1', 1, 2, 25, 1]]);
  const lines = attendanceCsv(rows).trim().split('\n');
  assert.equal(lines[1], `"Doe, Jane",p1,person,0.50,9.00,160,${at(0)},${at(9)}`);
});
