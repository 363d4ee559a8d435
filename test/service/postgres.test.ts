import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { FaceService } from '../../src/server/service.ts';
import { createService } from '../../src/service/index.ts';
import { databases, PG_SKIP, PG_URL } from '../gallery/pg-database.ts';
import { faceCrop, groupPhoto, whichGroupFace } from './photos.ts';

const newDatabase = PG_URL ? databases(PG_URL) : null;
const services: FaceService[] = [];

after(async () => {
  for (const s of services) await s.close?.();
});

test('a postgres:// gallery: enroll, identify from a second instance, delete', { skip: PG_URL ? false : PG_SKIP }, async () => {
  const url = await newDatabase!();
  const a = await createService({ db: url });
  services.push(a);
  const alice = await a.people.create({ name: 'Alice', images: [await faceCrop(0)] }, {});
  // a second server process on the same database sees the enrollment
  const b = await createService({ db: url });
  services.push(b);
  const found = await b.identify(groupPhoto(), {});
  const first = found.faces.find((f) => whichGroupFace(f.box) === 0);
  assert.equal(first?.match?.personId, alice.id);
  assert.equal((await b.people.list({ offset: 0, limit: 10 })).total, 1);
  await b.people.delete(alice.id);
  assert.equal((await a.people.list({ offset: 0, limit: 10 })).total, 0);
});
