import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createService } from '../../src/service/index.ts';
import type { FaceService, LivenessResponse } from '../../src/server/service.ts';
import { postJson, startHarness, type Harness } from './helpers.ts';
import { faceCrop } from '../service/photos.ts';

describe('POST /v1/liveness (library service)', () => {
  let h: Harness;
  let service: FaceService;
  let still: Buffer;
  let personId: string;
  let otherId: string;

  before(async () => {
    service = await createService({ db: ':memory:' });
    h = await startHarness({ service });
    // face-api's sample1.jpg: person C (frontal) films the burst, person A is someone else
    still = await faceCrop(2, 0.8);
    personId = (await service.people.create({ name: 'C', images: [still] }, {})).id;
    otherId = (await service.people.create({ name: 'A', images: [await faceCrop(0)] }, {})).id;
  });
  after(async () => {
    await h.close();
    await service.close?.();
  });

  const frames = (n: number): string[] => Array.from({ length: n }, () => still.toString('base64'));

  it('a burst of one still photo is not live for the blink challenge, yet is recognised as the enrolled person', async () => {
    const res = await postJson(`${h.url}/v1/liveness`, { frames: frames(6), challenge: 'blink', personId });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as LivenessResponse;
    assert.equal(body.frames, 6);
    assert.equal(body.framesWithFace, 6);
    assert.equal(body.live, false);
    assert.equal(body.checks.blink.requested, true);
    assert.equal(body.checks.blink.count, 0);
    // the eyes were measured (open), so "not live" is the check's verdict, not missing data
    for (const t of body.trace) assert.ok(t.ear !== null && t.ear > 0.15, `frame ${t.frame} ear ${t.ear}`);
    assert.ok(body.match, 'no match against the claimed person');
    assert.equal(body.match.personId, personId);
    assert.equal(body.match.verified, true);
    assert.ok(body.match.distance < 0.05, `same photo, distance ${body.match.distance}`);
  });

  it('without personId identifies the best frame against the gallery; a still head does not turn', async () => {
    const res = await postJson(`${h.url}/v1/liveness`, { frames: frames(4), challenge: 'turn' });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as LivenessResponse;
    assert.equal(body.live, false);
    assert.equal(body.checks.turnLeft.count + body.checks.turnRight.count, 0);
    assert.equal(body.match?.personId, personId);
  });

  it('a claimed person who is someone else is not verified', async () => {
    const res = await postJson(`${h.url}/v1/liveness`, { frames: frames(2), challenge: 'blink', personId: otherId });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as LivenessResponse;
    assert.equal(body.match?.personId, otherId);
    assert.equal(body.match?.verified, false);
    assert.ok(body.match!.distance > body.match!.threshold);
  });

  it('bad input is a clear 400', async () => {
    const none = await postJson(`${h.url}/v1/liveness`, { frames: [], challenge: 'blink' });
    assert.equal(none.status, 400);
    assert.match(((await none.json()) as { error: { message: string } }).error.message, /frames/);

    const tooMany = await postJson(`${h.url}/v1/liveness`, { frames: frames(61), challenge: 'blink' });
    assert.equal(tooMany.status, 400);

    const badChallenge = await postJson(`${h.url}/v1/liveness`, { frames: frames(2), challenge: 'smile' });
    assert.equal(badChallenge.status, 400);

    const corrupt = [...frames(2), Buffer.from('not a jpeg at all').toString('base64')];
    const res = await postJson(`${h.url}/v1/liveness`, { frames: corrupt, challenge: 'blink' });
    assert.equal(res.status, 400);
    const { error: err } = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(err.code, 'BAD_IMAGE');
    assert.match(err.message, /frame 3 of 3/);
  });
});
