/** The REST server in-process over the real library service: what a client of /v1 gets. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FaceService } from '../../src/server/service.ts';
import { createService } from '../../src/service/index.ts';
import { dataUrl, postJson, startHarness, type Harness } from '../server/helpers.ts';
import { faceCrop } from './photos.ts';

let service: FaceService;
let h: Harness;

before(async () => {
  service = await createService({ db: ':memory:' });
  h = await startHarness({ service });
});

after(async () => {
  await h?.close();
  await service?.close?.();
});

test('POST /v1/people with a name already enrolled adds the photos to that person', async () => {
  const first = await postJson(`${h.url}/v1/people`, { name: 'Ada', images: [dataUrl(await faceCrop(0), 'image/jpeg')] });
  assert.equal(first.status, 201, await first.clone().text());
  const ada = await first.json();
  assert.equal(ada.created, true);

  const again = await postJson(`${h.url}/v1/people`, { name: 'Ada', images: [dataUrl(await faceCrop(0, 0.7), 'image/jpeg')] });
  assert.equal(again.status, 200, await again.clone().text());
  const same = await again.json();
  assert.equal(same.id, ada.id);
  assert.equal(same.created, false);
  assert.equal(same.faceCount, 2);

  const list = await (await fetch(`${h.url}/v1/people`)).json();
  assert.deepEqual(list.people.map((p: { name: string; faceCount: number }) => [p.name, p.faceCount]), [['Ada', 2]]);
  await fetch(`${h.url}/v1/people/${ada.id}`, { method: 'DELETE' });
});
