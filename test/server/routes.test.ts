import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, png, dataUrl, postJson, blob, type Harness } from './helpers.ts';

let h: Harness;
let red: Buffer;
let blue: Buffer;

before(async () => {
  h = await startHarness({ limits: { bodyBytes: 256 * 1024, imageBytes: 128 * 1024, maxPixels: 500 * 500 } });
  red = await png([220, 30, 30]);
  blue = await png([30, 30, 220]);
});
after(async () => h.close());

test('POST /v1/detect with a data URL returns the faces the service found', async () => {
  const res = await postJson(`${h.url}/v1/detect`, { image: dataUrl(red), detector: 'fr_detect' });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.width, 64);
  assert.equal(body.faces.length, 1);
  assert.deepEqual(body.faces[0].box, { x: 16, y: 16, w: 32, h: 32 });
  assert.equal(body.faces[0].landmarks5.length, 5);
  assert.equal(body.faces[0].detector, 'fr_detect');
});

test('POST /v1/detect takes raw base64 and multipart uploads alike', async () => {
  const raw = await postJson(`${h.url}/v1/detect`, { image: red.toString('base64') });
  assert.equal(raw.status, 200);
  const form = new FormData();
  form.append('image', blob(red, 'image/png'), 'red.png');
  form.append('maxFaces', '3');
  const mp = await fetch(`${h.url}/v1/detect`, { method: 'POST', body: form });
  assert.equal(mp.status, 200);
  assert.deepEqual(await mp.json(), await raw.json());
});

test('a corrupt upload is a 400 JSON error from the decoder, with no stack', async () => {
  const form = new FormData();
  form.append('image', blob(Buffer.from('this is not an image at all'), 'image/jpeg'), 'x.jpg');
  const res = await fetch(`${h.url}/v1/detect`, { method: 'POST', body: form });
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(body.error.code, 'BAD_IMAGE');
  assert.match(body.error.message, /decode/);
  assert.equal(JSON.stringify(body).includes('    at '), false);
});

test('text that is not base64 is BAD_IMAGE; a missing image is BAD_ARGUMENT', async () => {
  const bad = await postJson(`${h.url}/v1/detect`, { image: 'not base64 at all!' });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.code, 'BAD_IMAGE');
  const missing = await postJson(`${h.url}/v1/detect`, {});
  assert.equal(missing.status, 400);
  const body = await missing.json();
  assert.equal(body.error.code, 'BAD_ARGUMENT');
  assert.match(body.error.message, /image/);
});

test('schema validation errors are 400 BAD_ARGUMENT', async () => {
  const res = await postJson(`${h.url}/v1/detect`, { image: dataUrl(red), maxFaces: 0 });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.code, 'BAD_ARGUMENT');
});

test('an oversized JSON body is 413; an oversized multipart file is 413; too many pixels is 413', async () => {
  const big = await postJson(`${h.url}/v1/detect`, { image: 'A'.repeat(300 * 1024) });
  assert.equal(big.status, 413);
  assert.equal((await big.json()).error.code, 'PAYLOAD_TOO_LARGE');

  const form = new FormData();
  form.append('image', blob(Buffer.alloc(200 * 1024), 'image/png'), 'big.png');
  const mp = await fetch(`${h.url}/v1/detect`, { method: 'POST', body: form });
  assert.equal(mp.status, 413);
  assert.equal((await mp.json()).error.code, 'PAYLOAD_TOO_LARGE');

  const huge = await png([0, 0, 0], 600); // 360k pixels over a 250k limit, small as PNG
  const px = await postJson(`${h.url}/v1/detect`, { image: dataUrl(huge) });
  assert.equal(px.status, 413);
  assert.equal((await px.json()).error.code, 'IMAGE_TOO_LARGE');
});

test('POST /v1/represent returns one embedding per face', async () => {
  const res = await postJson(`${h.url}/v1/represent`, { image: dataUrl(red), model: 'fr_feature' });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.faces.length, 1);
  assert.equal(body.faces[0].model, 'fr_feature');
  assert.equal(body.faces[0].embedding.length, 32);
  assert.ok(Math.abs(Math.hypot(...body.faces[0].embedding) - 1) < 1e-6);
});

test('an unknown model id is 400 MODEL_NOT_FOUND', async () => {
  const res = await postJson(`${h.url}/v1/represent`, { image: dataUrl(red), model: 'nope' });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.code, 'MODEL_NOT_FOUND');
});

test('an unexpected service failure is a 500 INTERNAL without details or stack', async () => {
  const res = await postJson(`${h.url}/v1/represent`, { image: dataUrl(red), model: 'explode' });
  assert.equal(res.status, 500);
  const text = await res.text();
  assert.deepEqual(Object.keys(JSON.parse(text).error).sort(), ['code', 'message']);
  assert.equal(JSON.parse(text).error.code, 'INTERNAL');
  assert.equal(text.includes('secret'), false);
  assert.equal(text.includes(' at '), false);
});

test('POST /v1/verify: same image verified, different images not', async () => {
  const same = await (await postJson(`${h.url}/v1/verify`, { image1: dataUrl(red), image2: dataUrl(red) })).json();
  assert.equal(same.verified, true);
  assert.ok(same.distance < 1e-9);
  assert.equal(same.confidence, 0.97);
  assert.equal(same.faces.length, 2);
  const diff = await (await postJson(`${h.url}/v1/verify`, { image1: dataUrl(red), image2: dataUrl(blue), metric: 'euclidean_l2' })).json();
  assert.equal(diff.verified, false);
  assert.equal(diff.metric, 'euclidean_l2');
  assert.ok(diff.distance > diff.threshold);
});

test('POST /v1/verify over multipart with two file fields', async () => {
  const form = new FormData();
  form.append('image1', blob(red), 'a.png');
  form.append('image2', blob(red), 'b.png');
  form.append('threshold', '0.25');
  const res = await fetch(`${h.url}/v1/verify`, { method: 'POST', body: form });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.verified, true);
  assert.equal(body.threshold, 0.25);
});

test('POST /v1/analyze returns the requested attributes only', async () => {
  const res = await postJson(`${h.url}/v1/analyze`, { image: dataUrl(red), actions: ['age', 'emotion'] });
  assert.equal(res.status, 200);
  const a = (await res.json()).faces[0].attributes;
  assert.equal(typeof a.age, 'number');
  assert.equal(a.emotion.happy, 0.6);
  assert.equal(a.gender, undefined);
});

test('people: create, list, get, rename, metadata, add/delete faces, identify, delete', async () => {
  const created = await postJson(`${h.url}/v1/people`, { name: 'Ada', metadata: { team: 'x' }, images: [dataUrl(red)] });
  assert.equal(created.status, 201);
  const ada = await created.json();
  assert.equal(ada.name, 'Ada');
  assert.equal(ada.faces.length, 1);
  assert.deepEqual(ada.metadata, { team: 'x' });

  const list = await (await fetch(`${h.url}/v1/people?limit=10`)).json();
  assert.ok(list.people.some((p: { id: string }) => p.id === ada.id));
  assert.equal(list.total, list.people.length);

  const got = await (await fetch(`${h.url}/v1/people/${ada.id}`)).json();
  assert.equal(got.faceCount, 1);

  const renamed = await fetch(`${h.url}/v1/people/${ada.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Ada L.', metadata: { team: 'y' } }) });
  assert.equal(renamed.status, 200);
  const r = await renamed.json();
  assert.equal(r.name, 'Ada L.');
  assert.deepEqual(r.metadata, { team: 'y' });

  const form = new FormData();
  form.append('images', blob(blue), 'b.png');
  form.append('images', blob(await png([10, 200, 10])), 'g.png');
  const added = await fetch(`${h.url}/v1/people/${ada.id}/faces`, { method: 'POST', body: form });
  assert.equal(added.status, 201);
  const faces = (await added.json()).faces;
  assert.equal(faces.length, 2);

  const who = await (await postJson(`${h.url}/v1/identify`, { image: dataUrl(blue) })).json();
  assert.equal(who.faces[0].match.personId, ada.id);
  assert.equal(who.faces[0].match.faceId, faces[0].id);
  assert.equal(who.faces[0].candidates[0].personId, ada.id);

  const delFace = await fetch(`${h.url}/v1/people/${ada.id}/faces/${faces[0].id}`, { method: 'DELETE' });
  assert.equal(delFace.status, 204);
  const after1 = await (await postJson(`${h.url}/v1/identify`, { image: dataUrl(blue) })).json();
  assert.equal(after1.faces[0].match, null);

  const del = await fetch(`${h.url}/v1/people/${ada.id}`, { method: 'DELETE' });
  assert.equal(del.status, 204);
  const gone = await fetch(`${h.url}/v1/people/${ada.id}`);
  assert.equal(gone.status, 404);
});

test('people over multipart: name and metadata as form fields', async () => {
  const form = new FormData();
  form.append('name', 'Grace');
  form.append('metadata', JSON.stringify({ born: 1906 }));
  form.append('images', blob(await png([1, 2, 3])), 'g.png');
  const res = await fetch(`${h.url}/v1/people`, { method: 'POST', body: form });
  assert.equal(res.status, 201);
  const p = await res.json();
  assert.deepEqual(p.metadata, { born: 1906 });
  assert.equal(p.faces.length, 1);
  assert.equal(p.created, true);
  // the name again: the service adds to that person, and the route says so with 200 and created false
  const again = await postJson(`${h.url}/v1/people`, { name: 'Grace', images: [dataUrl(await png([4, 5, 6]))] });
  assert.equal(again.status, 200);
  const same = await again.json();
  assert.equal(same.id, p.id);
  assert.equal(same.created, false);
  assert.equal(same.faces.length, 2);
});

test('unknown person is 404 NOT_FOUND on every person route', async () => {
  const opts = { headers: { 'content-type': 'application/json' } };
  const calls = [
    fetch(`${h.url}/v1/people/nobody`),
    fetch(`${h.url}/v1/people/nobody`, { method: 'PATCH', ...opts, body: JSON.stringify({ name: 'x' }) }),
    fetch(`${h.url}/v1/people/nobody`, { method: 'DELETE' }),
    postJson(`${h.url}/v1/people/nobody/faces`, { images: [dataUrl(red)] }),
    fetch(`${h.url}/v1/people/nobody/faces/f1`, { method: 'DELETE' }),
  ];
  for (const res of await Promise.all(calls)) {
    assert.equal(res.status, 404);
    const body = await res.json();
    assert.equal(body.error.code, 'NOT_FOUND');
    assert.match(body.error.message, /nobody/);
  }
});

test('unknown routes are JSON 404s', async () => {
  const res = await fetch(`${h.url}/v1/nothing-here`);
  assert.equal(res.status, 404);
  assert.equal((await res.json()).error.code, 'ROUTE_NOT_FOUND');
});

test('GET /health reports status, auth mode and queue', async () => {
  const res = await fetch(`${h.url}/health`);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.status, 'ok');
  assert.equal(body.auth, 'off');
  assert.equal(body.queue.concurrency, 2);
});

test('writes are audited as JSON lines: who, route, target ids, status', async () => {
  const created = await (await postJson(`${h.url}/v1/people`, { name: 'Audited' })).json();
  await fetch(`${h.url}/v1/people/${created.id}`, { method: 'DELETE' });
  await fetch(`${h.url}/v1/people/${created.id}`); // a read: not audited
  const lines = readFileSync(join(h.dir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const mine = lines.filter((l) => l.target.personId === created.id || l.target.id === created.id);
  assert.deepEqual(mine.map((l) => `${l.method} ${l.route} ${l.status}`), ['POST /v1/people 201', `DELETE /v1/people/:id 204`]);
  assert.equal(mine[0].keyId, null);
  assert.ok(!Number.isNaN(Date.parse(mine[0].time)));
  assert.ok(lines.every((l) => l.method !== 'GET'));
});

test('POST /v1/identify takes a person rule: template, min or mean-top2; anything else is 400', async () => {
  for (const rule of ['template', 'min', 'mean-top2']) assert.equal((await postJson(`${h.url}/v1/identify`, { image: dataUrl(blue), rule })).status, 200, rule);
  const bad = await postJson(`${h.url}/v1/identify`, { image: dataUrl(blue), rule: 'nearest' });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.code, 'BAD_ARGUMENT');
});
