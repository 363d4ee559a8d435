import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEEPFACE_DETECTORS, DEEPFACE_MODELS } from '../../src/server/index.ts';
import { startHarness, png, dataUrl, postJson, blob, bearer, type Harness } from './helpers.ts';

let h: Harness;
let red: Buffer;
let blue: Buffer;

let root: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'facekit-images-'));
  h = await startHarness({ imageRoot: root });
  red = await png([200, 20, 20], 80);
  blue = await png([20, 20, 200], 80);
});
after(async () => {
  await h.close();
  rmSync(root, { recursive: true, force: true });
});

function assertFacialArea(a: Record<string, unknown>): void {
  // nose and mouth corners: deepface sends them when its detector finds them (retinaface); facekit's always do
  assert.deepEqual(Object.keys(a).sort(), ['h', 'left_eye', 'mouth_left', 'mouth_right', 'nose', 'right_eye', 'w', 'x', 'y']);
  for (const k of ['x', 'y', 'w', 'h']) assert.ok(Number.isInteger(a[k]), `${k} is an integer`);
}

test('POST /verify takes deepface fields and answers in deepface shape', async () => {
  const res = await postJson(`${h.url}/verify`, {
    img1: dataUrl(red), img2: dataUrl(red), model_name: 'ArcFace', detector_backend: 'opencv', distance_metric: 'cosine', enforce_detection: true, align: true,
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(Object.keys(body).sort(), [
    'confidence', 'detector_backend', 'distance', 'facekit_detector', 'facekit_model', 'facial_areas', 'model', 'similarity_metric', 'threshold', 'time', 'verified',
  ]);
  assert.equal(body.facekit_model, 'fr_feature');
  assert.equal(body.facekit_detector, 'fr_detect');
  assert.equal(body.confidence, 97);
  assert.equal(body.verified, true);
  assert.equal(body.model, 'ArcFace');
  assert.equal(body.detector_backend, 'opencv');
  assert.equal(body.similarity_metric, 'cosine');
  assert.equal(typeof body.time, 'number');
  assert.deepEqual(Object.keys(body.facial_areas).sort(), ['img1', 'img2']);
  assertFacialArea(body.facial_areas.img1);
  // deepface's left_eye is the person's left, i.e. the eye on the image's right
  const { left_eye, right_eye } = body.facial_areas.img1;
  assert.ok(left_eye[0] > right_eye[0], 'left_eye should be to the right of right_eye in the image');
  const { mouth_left, mouth_right } = body.facial_areas.img1;
  assert.ok(mouth_left[0] > mouth_right[0], 'mouth_left is the person\'s left too');
  // the mapped ids reached the service
  assert.ok(h.service.calls.includes('decode:fr_detect'));
});

test('POST /verify: different faces are not verified; legacy img1_path names and form data work', async () => {
  const diff = await (await postJson(`${h.url}/verify`, { img1_path: dataUrl(red), img2_path: dataUrl(blue) })).json();
  assert.equal(diff.verified, false);
  assert.ok(diff.distance > diff.threshold);
  const form = new FormData();
  form.append('img1', blob(red), 'a.png');
  form.append('img2', blob(red), 'b.png');
  form.append('model_name', 'Dlib');
  form.append('enforce_detection', 'false');
  form.append('distance_metric', 'euclidean_l2');
  const res = await fetch(`${h.url}/verify`, { method: 'POST', body: form });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.verified, true);
  assert.equal(body.model, 'Dlib');
  assert.equal(body.similarity_metric, 'euclidean_l2');
});

test('every deepface model and detector name is accepted and runs the facekit model of the one table; others are a 400 listing them', async () => {
  for (const [name, row] of Object.entries(DEEPFACE_MODELS)) {
    const body = await (await postJson(`${h.url}/verify`, { img1: dataUrl(red), img2: dataUrl(red), model_name: name })).json();
    assert.equal(body.model, name);
    assert.equal(body.facekit_model, row.facekit);
  }
  for (const [name, row] of Object.entries(DEEPFACE_DETECTORS)) {
    h.service.calls.length = 0;
    const body = await (await postJson(`${h.url}/represent`, { img: dataUrl(red), detector_backend: name })).json();
    assert.equal(body.facekit_detector, row.facekit);
    assert.deepEqual(h.service.calls, [`decode:${row.facekit}`]);
  }
  // deepface's defaults when none is named
  const defaults = await (await postJson(`${h.url}/verify`, { img1: dataUrl(red), img2: dataUrl(red) })).json();
  assert.deepEqual([defaults.model, defaults.detector_backend, defaults.facekit_model, defaults.facekit_detector], ['VGG-Face', 'opencv', 'fr_feature', 'fr_detect']);
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ model_name: 'NoSuchNet' }, /invalid model_name 'NoSuchNet'; deepface's names are: VGG-Face, Facenet/],
    [{ detector_backend: 'haar' }, /invalid detector_backend 'haar'; deepface's names are: opencv, retinaface/],
    [{ distance_metric: 'manhattan' }, /invalid distance_metric 'manhattan'; supported: cosine, euclidean, euclidean_l2, angular/],
  ];
  for (const [fields, re] of cases) {
    const res = await postJson(`${h.url}/verify`, { img1: dataUrl(red), img2: dataUrl(red), ...fields });
    assert.equal(res.status, 400, JSON.stringify(fields));
    const body = await res.json();
    assert.deepEqual(Object.keys(body), ['error']);
    assert.match(body.error, re);
  }
});

test('distance_metric angular: cosine measured and calibrated, distance and threshold on the angular scale', async () => {
  const cos = await (await postJson(`${h.url}/verify`, { img1: dataUrl(red), img2: dataUrl(blue) })).json();
  const ang = await (await postJson(`${h.url}/verify`, { img1: dataUrl(red), img2: dataUrl(blue), distance_metric: 'angular' })).json();
  assert.equal(ang.similarity_metric, 'angular');
  assert.ok(Math.abs(ang.distance - Math.acos(1 - cos.distance) / Math.PI) < 1e-12);
  assert.ok(Math.abs(ang.threshold - Math.acos(1 - cos.threshold) / Math.PI) < 1e-12);
  assert.equal(ang.verified, cos.verified);
  // a threshold given on the angular scale decides like its cosine equivalent
  const loose = await (await postJson(`${h.url}/verify`, { img1: dataUrl(red), img2: dataUrl(blue), distance_metric: 'angular', threshold: ang.distance + 1e-6 })).json();
  assert.equal(loose.verified, true);
  assert.ok(Math.abs(loose.threshold - (ang.distance + 1e-6)) < 1e-9);
});

test('POST /represent returns {results: [{embedding, facial_area, face_confidence}]}', async () => {
  const res = await postJson(`${h.url}/represent`, { img: dataUrl(red), model_name: 'SFace', detector_backend: 'mediapipe', max_faces: 1 });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ['results', 'facekit_model', 'facekit_detector']);
  assert.equal(body.facekit_model, 'faceapi-recognition');
  assert.equal(body.results.length, 1);
  const r = body.results[0];
  assert.deepEqual(Object.keys(r).sort(), ['embedding', 'face_confidence', 'facial_area']);
  assert.equal(r.embedding.length, 32);
  assertFacialArea(r.facial_area);
  assert.equal(r.face_confidence, 0.9);
  assert.ok(h.service.calls.includes(`decode:${DEEPFACE_DETECTORS.mediapipe.facekit}`));
  // skip: the whole image is the face
  const skipped = await (await postJson(`${h.url}/represent`, { img_path: dataUrl(red), detector_backend: 'skip' })).json();
  // (the double places its five points in every face, as the library places the template's in a skipped one)
  assert.deepEqual(skipped.results[0].facial_area, { x: 0, y: 0, w: 80, h: 80, left_eye: [56, 32], right_eye: [24, 32], nose: [40, 48], mouth_left: [52, 64], mouth_right: [28, 64] });
});

test('POST /analyze returns deepface demography fields for the requested actions', async () => {
  const res = await postJson(`${h.url}/analyze`, { img: dataUrl(red), actions: ['age', 'gender', 'emotion', 'race'] });
  assert.equal(res.status, 200);
  const body = await res.json();
  const r = body.results[0];
  assert.deepEqual(Object.keys(r).sort(), ['age', 'dominant_emotion', 'dominant_gender', 'dominant_race', 'emotion', 'face_confidence', 'gender', 'race', 'region'].sort());
  assertFacialArea(r.region);
  assert.deepEqual(Object.keys(r.gender).sort(), ['Man', 'Woman']);
  assert.ok(Math.abs(r.gender.Man + r.gender.Woman - 100) < 1e-9, 'gender in percent');
  assert.equal(r.dominant_gender, r.gender.Man > r.gender.Woman ? 'Man' : 'Woman');
  assert.equal(r.dominant_emotion, 'happy');
  assert.equal(r.emotion.happy, 60);
  assert.equal(r.dominant_race, 'white');
  assert.ok(Number.isInteger(r.age), 'deepface ages are integers');
  // deepface's six labels; the model's "other" split between the two it covers
  assert.deepEqual(Object.keys(r.race), ['asian', 'indian', 'black', 'white', 'middle eastern', 'latino hispanic']);
  assert.equal(r.race['middle eastern'], r.race['latino hispanic']);
  assert.ok(Math.abs(Object.values(r.race as Record<string, number>).reduce((x, y) => x + y, 0) - 100) < 1e-9);

  // form data sends actions as a Python-ish list string, as deepface's own API accepts
  const form = new FormData();
  form.append('img', blob(red), 'a.png');
  form.append('actions', "['age', 'emotion']");
  const one = await (await fetch(`${h.url}/analyze`, { method: 'POST', body: form })).json();
  assert.deepEqual(Object.keys(one.results[0]).sort(), ['age', 'dominant_emotion', 'emotion', 'face_confidence', 'region']);

  const bad = await postJson(`${h.url}/analyze`, { img: dataUrl(red), actions: ['beauty'] });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /beauty/);
});

test('image paths are read only inside the image root; URLs are refused', async () => {
  const dir = join(root, 'imgs');
  mkdirSync(dir);
  writeFileSync(join(h.dir, 'outside.png'), red);
  writeFileSync(join(dir, 'red.png'), red);
  const inRoot = await postJson(`${h.url}/represent`, { img: join(dir, 'red.png') });
  assert.equal(inRoot.status, 200);
  const relative = await postJson(`${h.url}/represent`, { img: 'imgs/red.png' });
  assert.equal(relative.status, 200);
  for (const img of [join(h.dir, 'outside.png'), '../' + join('..', h.dir, 'outside.png'), '/etc/passwd']) {
    const outside = await postJson(`${h.url}/represent`, { img });
    assert.equal(outside.status, 400, img);
  }
  const url = await postJson(`${h.url}/represent`, { img: 'https://example.com/a.jpg' });
  assert.equal(url.status, 400);
  assert.match((await url.json()).error, /does not fetch URLs unless .*--fetch-urls/);
  const missing = await postJson(`${h.url}/represent`, {});
  assert.equal(missing.status, 400);
  assert.deepEqual(await missing.json(), { exception: "'img' not found in either json or form data request" }, 'deepface\'s routes.py answers a missing image field so');
});

test('an uploaded file that is no image is deepface\'s {"exception"} 400, as its request reading decodes uploads', async () => {
  const f = new FormData();
  f.append('img', blob(Buffer.from('Not JPEG data'), 'image/jpeg'), 'invalid.jpg');
  const res = await fetch(`${h.url}/represent`, { method: 'POST', body: f });
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ['exception']);
  assert.match(body.exception, /'img' is not an image/);
});

test('without an image root, path strings are refused with how to allow them', async () => {
  const plain = await startHarness();
  try {
    const res = await postJson(`${plain.url}/represent`, { img: 'tests/dataset/img1.jpg' });
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /--image-root/);
  } finally {
    await plain.close();
  }
});

test('bodies as deepface clients send them: urlencoded forms, JSON without a JSON content type, Python booleans', async () => {
  // requests.post(url, data={...}): an urlencoded form, booleans written "False"
  const form = await fetch(`${h.url}/represent`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ img: red.toString('base64'), enforce_detection: 'False', detector_backend: 'skip' }).toString(),
  });
  assert.equal(form.status, 200);
  assert.equal((await form.json()).results.length, 1);
  // the README's curl -d '{json}' sends JSON labelled as a form; fetch with a string body says text/plain
  for (const type of ['application/x-www-form-urlencoded', 'text/plain;charset=UTF-8']) {
    const res = await fetch(`${h.url}/verify`, { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify({ img1: dataUrl(red), img2: dataUrl(red) }) });
    assert.equal(res.status, 200, type);
    assert.equal((await res.json()).verified, true);
  }
  const broken = await fetch(`${h.url}/verify`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '{"img1": ' });
  assert.equal(broken.status, 400);
  assert.match((await broken.json()).error, /looks like JSON/);
});

test('errors are deepface-shaped {"error": message} with facekit statuses; /v1 keeps its own shape', async () => {
  const notImage = await postJson(`${h.url}/analyze`, { img: Buffer.from('not an image at all').toString('base64') });
  assert.equal(notImage.status, 400);
  const body = await notImage.json();
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(typeof body.error, 'string');
  const v1 = await postJson(`${h.url}/v1/detect`, {});
  assert.equal(typeof (await v1.json()).error, 'object');
});

test('image URLs: off by default; when on, http(s) only, public addresses only unless allowed, with size and time limits', async () => {
  const { createServer } = await import('node:http');
  const files = createServer((req, res) => {
    if (req.url === '/red.png') return res.end(red);
    if (req.url === '/moved') return res.writeHead(302, { location: '/red.png' }).end();
    if (req.url === '/big') return res.end(Buffer.alloc(5000));
    // /slow never answers
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  const port = (files.address() as { port: number }).port;
  const local = `http://127.0.0.1:${port}`;
  const on = await startHarness({ fetchUrls: { enabled: true, maxBytes: 4000, timeoutMs: 300 } });
  const onPrivate = await startHarness({ fetchUrls: { enabled: true, allowPrivate: true, maxBytes: 4000, timeoutMs: 300 } });
  try {
    const represent = (server: Harness, img: string) => postJson(`${server.url}/represent`, { img });
    const off = await represent(h, `${local}/red.png`);
    assert.equal(off.status, 400);
    assert.match((await off.json()).error, /--fetch-urls \(or FACEKIT_FETCH_URLS=1\)/);
    for (const img of [`${local}/red.png`, `http://localhost:${port}/red.png`, `http://[::ffff:127.0.0.1]:${port}/red.png`]) {
      const res = await represent(on, img);
      assert.equal(res.status, 400, img);
      assert.match((await res.json()).error, /private or loopback .*--fetch-private-urls/, img);
    }
    assert.equal((await represent(onPrivate, `${local}/red.png`)).status, 200);
    assert.equal((await represent(onPrivate, `${local}/moved`)).status, 200);
    const big = await represent(onPrivate, `${local}/big`);
    assert.equal(big.status, 413);
    const slow = await represent(onPrivate, `${local}/slow`);
    assert.equal(slow.status, 400);
    assert.match((await slow.json()).error, /within 300 ms/);
    const ftp = await represent(onPrivate, 'ftp://example.com/a.png');
    assert.match((await ftp.json()).error, /http or https/);
  } finally {
    await on.close();
    await onPrivate.close();
    files.closeAllConnections();
    files.close();
  }
});

test('POST /verify takes a precomputed embedding (a list of floats) on either side', async () => {
  const [redFace] = (await (await postJson(`${h.url}/represent`, { img: dataUrl(red) })).json()).results;
  const res = await postJson(`${h.url}/verify`, { img1: redFace.embedding, img2: dataUrl(red) });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.verified, true);
  assert.deepEqual(body.facial_areas.img1, { x: null, y: null, w: null, h: null, left_eye: null, right_eye: null });
  assertFacialArea(body.facial_areas.img2);
  const both = await (await postJson(`${h.url}/verify`, { img1: redFace.embedding, img2: redFace.embedding })).json();
  assert.equal(both.distance, 0);
  const short = await postJson(`${h.url}/verify`, { img1: redFace.embedding.slice(1), img2: dataUrl(red) });
  assert.equal(short.status, 400);
  assert.match((await short.json()).error, /differ in length/);
  const notNumbers = await postJson(`${h.url}/verify`, { img1: ['a', 'b'], img2: dataUrl(red) });
  assert.equal(notNumbers.status, 400);
});

test('deepface options reach the service: enforce_detection, align, anti_spoofing, expand_percentage, max_faces', async () => {
  const seen: unknown[] = [];
  const represent = h.service.represent.bind(h.service);
  h.service.represent = async (image, opts) => {
    seen.push(opts);
    return represent(image, opts);
  };
  try {
    const res = await postJson(`${h.url}/represent`, {
      img: dataUrl(red), enforce_detection: false, align: false, anti_spoofing: true, expand_percentage: 20, max_faces: 3, model_name: 'Facenet', detector_backend: 'yolov8',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(seen[0], {
      maxPixels: 40_000_000, model: 'faceapi-recognition', detector: 'faceboxes', align: false, enforceDetection: false, antiSpoofing: true, expandPercentage: 20, maxFaces: 3,
    });
    // the 80 px fake face box is 40 px; 20% more is 48
    assert.equal((await res.json()).results[0].facial_area.w, 48);
    // a form's strings arrive as the same typed options
    const form = new FormData();
    form.append('img', blob(red), 'a.png');
    form.append('enforce_detection', 'False');
    form.append('expand_percentage', '10');
    assert.equal((await fetch(`${h.url}/represent`, { method: 'POST', body: form })).status, 200);
    assert.equal((seen[1] as { enforceDetection: boolean }).enforceDetection, false);
    assert.equal((seen[1] as { expandPercentage: number }).expandPercentage, 10);
  } finally {
    h.service.represent = represent;
  }
});

test('/register -> /search -> /build/index over the gallery, in deepface shapes', async () => {
  const g = await startHarness();
  try {
    const register = (body: Record<string, unknown>) => postJson(`${g.url}/register`, body);
    // deepface raises (400) when the database holds no embeddings for the model
    for (const [route, body] of [['/search', { img: dataUrl(red), model_name: 'Facenet' }], ['/build/index', { model_name: 'Facenet' }]] as const) {
      const empty = await postJson(`${g.url}${route}`, body);
      assert.equal(empty.status, 400, route);
      assert.match((await empty.json()).error, /No embeddings found in the database for model_name='Facenet'/);
    }
    const first = await register({ img: dataUrl(red), img_name: 'ada.png', model_name: 'Facenet' });
    assert.equal(first.status, 200);
    const a = await first.json();
    assert.deepEqual({ ...a, facekit_person_id: typeof a.facekit_person_id }, {
      inserted: 1, img_name: 'ada.png', facekit_person_id: 'string', facekit_model: 'faceapi-recognition', facekit_detector: 'fr_detect',
    });
    // the same img_name again: another face of the same person
    const again = await (await register({ img: dataUrl(red), img_name: 'ada.png', model_name: 'Facenet' })).json();
    assert.equal(again.facekit_person_id, a.facekit_person_id);
    assert.equal((await register({ img: dataUrl(blue), img_name: 'bob.png', model_name: 'Facenet' })).status, 200);
    // no img_name and no .jpg/.jpeg/.png img: deepface names the face with a random UUID
    const unnamed = await register({ img: dataUrl(blue), model_name: 'Facenet' });
    assert.equal(unnamed.status, 200);
    const u = await unnamed.json();
    assert.match(u.img_name, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(u.facekit_person_id, a.facekit_person_id);

    const index = await (await postJson(`${g.url}/build/index`, { model_name: 'Facenet' })).json();
    assert.deepEqual(index, { message: 'Index built successfully', indexes: [{ facekit_model: 'faceapi-recognition', dims: 32, faces: 4, hnsw: false }] });

    const found = await (await postJson(`${g.url}/search`, { img: dataUrl(red), model_name: 'Facenet' })).json();
    assert.equal(found.results.length, 1, 'one list per face in the query image');
    assert.ok(found.results[0].length >= 1);
    for (const row of found.results[0]) {
      assert.equal(row.img_name, 'ada.png', 'only matches within the threshold');
      assert.equal(row.verified, true);
      assert.equal(row.distance, 0);
      assert.ok(Number.isInteger(row.target_x));
      assert.deepEqual(
        [row.model_name, row.detector_backend, row.aligned, row.l2_normalized, row.search_method, row.distance_metric],
        ['Facenet', 'opencv', true, false, 'exact', 'cosine'],
      );
    }
    // similarity_search: the k nearest whatever their distance, on the metric asked for
    const near = await (await postJson(`${g.url}/search`, { img: dataUrl(red), model_name: 'Facenet', similarity_search: true, k: 5, distance_metric: 'euclidean_l2' })).json();
    const bob = near.results[0].find((r: { img_name: string }) => r.img_name === 'bob.png');
    assert.equal(bob.verified, false);
    assert.ok(Math.abs(bob.threshold - Math.sqrt(2 * 0.4)) < 1e-12, 'the cosine threshold on the euclidean_l2 scale');
  } finally {
    await g.close();
  }
});

test('DEEPFACE_AUTH_TOKEN is one of the server\'s API keys: read and write, not admin; errors stay deepface-shaped', async () => {
  const { withEnvironmentToken } = await import('../../src/server/keys/env-token.ts');
  const { MemoryKeyStore } = await import('../../src/server/keys/store.ts');
  const g = await startHarness({}, withEnvironmentToken(new MemoryKeyStore(), 'deepface-secret'));
  try {
    const none = await postJson(`${g.url}/represent`, { img: dataUrl(red) });
    assert.equal(none.status, 401);
    assert.match((await none.json()).error, /API key is required/);
    const wrong = await postJson(`${g.url}/represent`, { img: dataUrl(red) }, bearer('not-it'));
    assert.equal(wrong.status, 401);
    assert.equal((await postJson(`${g.url}/represent`, { img: dataUrl(red) }, bearer('deepface-secret'))).status, 200);
    assert.equal((await postJson(`${g.url}/register`, { img: dataUrl(red), img_name: 'x.png' }, bearer('deepface-secret'))).status, 200);
    assert.equal((await fetch(`${g.url}/v1/keys`, { headers: bearer('deepface-secret') })).status, 403);
  } finally {
    await g.close();
  }
});

test('README\'s mapping tables are the table in names.ts', async () => {
  const { readFileSync } = await import('node:fs');
  const readme = readFileSync('README.md', 'utf8');
  for (const [name, row] of Object.entries(DEEPFACE_MODELS)) {
    assert.ok(readme.includes(`| \`${name}\` | ${row.deepfaceDim} | \`${row.facekit}\` |`), `README lists model ${name} -> ${row.facekit}`);
  }
  for (const [name, row] of Object.entries(DEEPFACE_DETECTORS)) {
    assert.ok(readme.includes(`| \`${name}\` | \`${row.facekit}\` |`), `README lists detector ${name} -> ${row.facekit}`);
  }
});

test('too large is a 413 in deepface\'s shape, for JSON, forms and uploads, and the server keeps answering', async () => {
  const small = await startHarness({ limits: { bodyBytes: 2000, imageBytes: 1500 } });
  try {
    const big = 'A'.repeat(4000);
    for (const [type, body] of [['application/json', JSON.stringify({ img: big })], ['application/x-www-form-urlencoded', `img=${big}`]]) {
      const res = await fetch(`${small.url}/represent`, { method: 'POST', headers: { 'content-type': type }, body });
      assert.equal(res.status, 413, type);
      assert.equal(typeof (await res.json()).error, 'string');
    }
    const form = new FormData();
    form.append('img', blob(Buffer.alloc(1800)), 'a.png');
    const upload = await fetch(`${small.url}/represent`, { method: 'POST', body: form });
    assert.equal(upload.status, 413);
    assert.equal(typeof (await upload.json()).error, 'string');
    assert.equal((await postJson(`${small.url}/represent`, { img: 'not an image!' })).status, 400);
    assert.equal((await fetch(`${small.url}/health`)).status, 200);
  } finally {
    await small.close();
  }
});

test('the URL fetcher\'s private ranges: loopback, RFC 1918, link-local (cloud metadata), CGNAT, ULA, IPv4-mapped', async () => {
  const { isPrivateAddress } = await import('../../src/server/deepface/fetch-url.ts');
  for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', 'not-an-ip']) {
    assert.equal(isPrivateAddress(a), true, a);
  }
  for (const a of ['8.8.8.8', '140.82.112.3', '2606:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPrivateAddress(a), false, a);
});
