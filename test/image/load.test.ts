import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { jpegWithSize } from '../../bench/hostile-corpus.ts';
import { loadImage } from '../../src/image/index.ts';
import { FacekitError } from '../../src/errors/index.ts';

const sample = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';
const tmp = mkdtempSync(join(tmpdir(), 'facekit-img-'));

const isErr = (code: string, re?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof FacekitError, `expected FacekitError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  if (re) assert.match(e.message, re);
  assert.ok(!e.message.includes('\n'), 'one-line message');
  return true;
};

/** 40x30 image: left half red, right half blue */
function halves(channels: 3 | 4, alpha = 255): Buffer {
  const b = Buffer.alloc(40 * 30 * channels);
  for (let y = 0; y < 30; y++) for (let x = 0; x < 40; x++) {
    const i = (y * 40 + x) * channels;
    if (x < 20) b[i] = 255; else b[i + 2] = 255;
    if (channels === 4) b[i + 3] = alpha;
  }
  return b;
}

test('JPEG file decodes to RGB with its size', async () => {
  const img = await loadImage(sample);
  assert.equal(img.width, 1920);
  assert.equal(img.height, 1280);
  assert.equal(img.data.length, 1920 * 1280 * 3);
});

test('PNG, WebP, TIFF, GIF and AVIF buffers decode with the right colours', async () => {
  const raw = { raw: { width: 40, height: 30, channels: 3 as const } };
  for (const fmt of ['png', 'webp', 'tiff', 'gif', 'avif'] as const) {
    const enc = await sharp(halves(3), raw).toFormat(fmt, fmt === 'webp' || fmt === 'avif' ? { lossless: true } : {}).toBuffer();
    const img = await loadImage(enc);
    assert.equal(img.width, 40, fmt);
    assert.equal(img.height, 30, fmt);
    const at = (x: number, y: number) => [...img.data.subarray((y * 40 + x) * 3, (y * 40 + x) * 3 + 3)];
    assert.ok(at(5, 15)[0] > 200 && at(5, 15)[2] < 60, `${fmt} left is red: ${at(5, 15)}`);
    assert.ok(at(35, 15)[2] > 200 && at(35, 15)[0] < 60, `${fmt} right is blue: ${at(35, 15)}`);
  }
});

test('EXIF orientation is applied (orientation 6 = rotate 90 clockwise)', async () => {
  const enc = await sharp(halves(3), { raw: { width: 40, height: 30, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  const img = await loadImage(enc);
  assert.equal(img.width, 30);
  assert.equal(img.height, 40);
  // red was on the left; after a clockwise quarter turn it is on top
  assert.ok(img.data[(2 * 30 + 15) * 3] > 200, 'top is red');
  assert.ok(img.data[(37 * 30 + 15) * 3 + 2] > 200, 'bottom is blue');
});

test('16-bit PNG and grey PNG become 8-bit RGB', async () => {
  const grey = Buffer.alloc(20 * 20, 100);
  const g = await sharp(grey, { raw: { width: 20, height: 20, channels: 1 } }).png().toBuffer();
  const gi = await loadImage(g);
  assert.equal(gi.data.length, 20 * 20 * 3);
  assert.deepEqual([...gi.data.subarray(0, 3)], [100, 100, 100]);
  const s16 = await sharp(halves(3), { raw: { width: 40, height: 30, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
  assert.equal((await sharp(s16).metadata()).depth, 'ushort');
  const i16 = await loadImage(s16);
  assert.equal(i16.data.length, 40 * 30 * 3);
  assert.ok(i16.data[0] > 250 && i16.data[2] < 5, `16-bit red: ${i16.data.subarray(0, 3)}`);
});

test('CMYK JPEG and 16-bit grey PNG come out as sRGB', async () => {
  const cmyk = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#ff0000' } }).toColourspace('cmyk').jpeg().toBuffer();
  assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
  const c = await loadImage(cmyk);
  assert.ok(c.data[0] > 200 && c.data[1] < 40 && c.data[2] < 40, `red: ${c.data.subarray(0, 3)}`);
  const g = Buffer.alloc(20 * 20 * 2, 0x80);
  const g16 = await sharp(g, { raw: { width: 20, height: 20, channels: 1 } }).toColourspace('grey16').png().toBuffer();
  assert.equal((await sharp(g16).metadata()).depth, 'ushort');
  assert.deepEqual([...(await loadImage(g16)).data.subarray(0, 3)], [128, 128, 128]);
});

test('alpha is flattened onto white by default, black on request', async () => {
  const png = await sharp(halves(4, 0), { raw: { width: 40, height: 30, channels: 4 } }).png().toBuffer();
  assert.deepEqual([...(await loadImage(png)).data.subarray(0, 3)], [255, 255, 255]);
  assert.deepEqual([...(await loadImage(png, { background: 'black' })).data.subarray(0, 3)], [0, 0, 0]);
  const raw = await loadImage({ data: halves(4, 128), width: 40, height: 30, channels: 4 });
  assert.deepEqual([...raw.data.subarray(0, 3)], [255, 127, 127]);
});

test('binary and ASCII PGM/PPM decode by hand', async () => {
  const pgm = Buffer.concat([Buffer.from('P5\n# comment\n20 18\n255\n'), Buffer.alloc(20 * 18, 77)]);
  const a = await loadImage(pgm);
  assert.equal(a.width, 20);
  assert.equal(a.height, 18);
  assert.deepEqual([...a.data.subarray(0, 3)], [77, 77, 77]);
  const px = Array.from({ length: 16 * 16 }, () => '10 20 30').join(' ');
  const ppm = Buffer.from(`P3 16 16 100 ${px}`);
  const b = await loadImage(ppm);
  assert.deepEqual([...b.data.subarray(0, 3)], [26, 51, 77]);
  await assert.rejects(loadImage(Buffer.from('P5 20 18 255\n' + 'x'.repeat(10))), isErr('BAD_IMAGE', /truncated/));
});

test('raw pixel input (3 channels) passes through', async () => {
  const img = await loadImage({ data: halves(3), width: 40, height: 30, channels: 3 });
  assert.deepEqual([...img.data.subarray(0, 3)], [255, 0, 0]);
});

test('bad inputs give one-line BAD_IMAGE errors', async () => {
  await assert.rejects(loadImage(join(tmp, 'missing.jpg')), isErr('BAD_IMAGE', /not found: .*missing\.jpg/));
  const empty = join(tmp, 'empty.jpg');
  writeFileSync(empty, '');
  await assert.rejects(loadImage(empty), isErr('BAD_IMAGE', /empty/));
  await assert.rejects(loadImage(Buffer.from('hello, this is not an image at all')), isErr('BAD_IMAGE', /not an image/));
  const jpg = await sharp(halves(3), { raw: { width: 40, height: 30, channels: 3 } }).jpeg().toBuffer();
  await assert.rejects(loadImage(jpg.subarray(0, Math.floor(jpg.length * 0.6))), isErr('BAD_IMAGE'));
  const one = await sharp(Buffer.from([1, 2, 3]), { raw: { width: 1, height: 1, channels: 3 } }).png().toBuffer();
  await assert.rejects(loadImage(one), isErr('BAD_IMAGE', /1x1, too small/));
  await assert.rejects(loadImage(tmp), isErr('BAD_IMAGE', /refused: it is a directory/));
});

test('an undecodable HEIC names the format and the way out', async () => {
  const avif = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#f00' } }).avif().toBuffer();
  const heic = Buffer.from(avif.subarray(0, 40));
  heic.write('heic', 8, 'latin1');
  await assert.rejects(loadImage(heic), isErr('BAD_IMAGE', /HEIC.*convert it to JPEG/));
});

test('size limits give IMAGE_TOO_LARGE naming size and limit', async () => {
  await assert.rejects(loadImage(sample, { maxBytes: 1000 }), isErr('IMAGE_TOO_LARGE', /MB, over the limit of 0\.0 MB/));
  await assert.rejects(loadImage(sample, { maxPixels: 1_000_000 }), isErr('IMAGE_TOO_LARGE', /1920x1280 \(2\.5 megapixels\), over the limit of 1\.0 megapixels/));
});

test('hostile inputs are refused from their headers, before the pixels are allocated', async () => {
  // netpbm claiming 40 gigapixels in 20 bytes: refused by the declared size, no allocation
  await assert.rejects(loadImage(Buffer.from('P5 200000 200000 255\n')), isErr('IMAGE_TOO_LARGE', /200000x200000/));
  await assert.rejects(loadImage(Buffer.from('P4 6000 6000\n\0\0')), isErr('BAD_IMAGE', /truncated.*6000x6000/));
  await assert.rejects(loadImage(Buffer.from('P2 99999999999 2 255\n')), isErr('BAD_IMAGE', /malformed/));
  // a JPEG whose header claims 6000x6000 over 640x427 of data
  const jpg = await sharp(sample).resize(640).jpeg({ quality: 60 }).toBuffer();
  await assert.rejects(loadImage(jpegWithSize(jpg, 6000, 6000)), isErr('BAD_IMAGE', /header says 6000x6000.*lies/));
  // a smaller lie passes the size floor but its scan data runs out: libjpeg's warning is an error here
  await assert.rejects(loadImage(jpegWithSize(jpg, 1200, 900)), isErr('BAD_IMAGE', /premature end/));
  const t0 = performance.now();
  await assert.rejects(loadImage(Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="6000" height="6000"><filter id="f"><feTurbulence numOctaves="30"/><feGaussianBlur stdDeviation="900"/></filter><rect width="100%" height="100%" filter="url(#f)"/></svg>')), isErr('BAD_IMAGE', /SVG.*does not rasterise/));
  assert.ok(performance.now() - t0 < 1000, 'SVG is refused without rendering');
  await assert.rejects(loadImage(gzipSync('<svg xmlns="http://www.w3.org/2000/svg" width="60" height="60"/>')), isErr('BAD_IMAGE', /not an image facekit can read/));
  await assert.rejects(loadImage(Buffer.concat([Buffer.from('BM'), Buffer.alloc(100)])), isErr('BAD_IMAGE', /not an image facekit can read/));
});

test('a PNG with a bad CRC or cut short says so', async () => {
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#f80' } }).png().toBuffer();
  const badCrc = Buffer.from(png);
  badCrc[29] ^= 0xff; // the last byte of IHDR's CRC
  await assert.rejects(loadImage(badCrc), isErr('BAD_IMAGE', /PNG chunk IHDR at byte 8 has a bad CRC/));
  await assert.rejects(loadImage(png.subarray(0, png.length - 30)), isErr('BAD_IMAGE', /PNG.*truncated/));
});
