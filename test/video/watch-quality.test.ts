/**
 * A face seen on video gets the quality a photo of it gets: the image cues refined by the
 * recognizer's output (the raw embedding norm), not the image cues alone. Sightings keep the best
 * sample's quality, so a still frame shown for a while must give exactly represent's score.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { assessQuality, withQuality } from '../../src/analyze/index.ts';
import { detectFaces } from '../../src/detect/index.ts';
import { openGallery } from '../../src/gallery/index.ts';
import { loadImage } from '../../src/image/index.ts';
import { embedFacesWithCues } from '../../src/pipeline/index.ts';
import { roundMeasure } from '../../src/rounding.ts';
import { listSightings } from '../../src/strangers/index.ts';
import { watchVideo, type VideoFrame } from '../../src/video/index.ts';
import { GROUP } from './slideshow.ts';

test('watch: a sighting carries the refined quality of its best face, as a photo of it would', async () => {
  const still = await loadImage(new Uint8Array(await sharp(GROUP).extract({ left: 180, top: 230, width: 640, height: 480 }).jpeg({ quality: 92 }).toBuffer()));
  const faces = await detectFaces(still);
  assert.equal(faces.length, 1);
  const imageCues = (await assessQuality(still, faces[0])).score;
  const refined = (await embedFacesWithCues(still, withQuality(still, faces))).faces[0].quality!.score;
  assert.notEqual(roundMeasure(refined), roundMeasure(imageCues), 'the embedding refines this face\'s score');

  const gallery = await openGallery(':memory:', { encryptionKey: null });
  try {
    async function* frames(): AsyncIterable<VideoFrame> {
      for (let i = 0; i < 40; i++) yield { image: still, index: i, timeMs: i * 100, wallTime: Date.UTC(2026, 0, 1) + i * 100 };
    }
    await watchVideo(frames(), { gallery, source: 'still', recheckMs: 500 });
    const sightings = await listSightings(gallery);
    assert.ok(sightings.length >= 1, 'the face was recorded');
    assert.equal(sightings[0].quality, roundMeasure(refined));
  } finally {
    await gallery.close();
  }
});
