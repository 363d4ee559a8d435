/**
 * The hostile-input corpus (issue 24), generated: nothing here is a stored file. Images in every
 * format sharp reads plus netpbm and SVG, each as a control, truncated at several offsets, with
 * wrong magic, as a pixel bomb, and with lying headers; non-images, damaged files, huge metadata
 * and odd paths. bench/hostile.ts runs it through the CLI and the REST routes; the fast test
 * (test/image/hostile.test.ts) runs the images through loadImage.
 *
 *   npx tsx bench/hostile-corpus.ts DIR     writes the image cases into DIR, to try by hand
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import sharp from 'sharp';

export interface HostileImage {
  kind: 'image';
  name: string;
  bytes: Buffer;
  /** true: a well-formed image that must give a result (no face is fine) */
  valid?: boolean;
  /** also try to enroll it (REST): for faces too small to enroll */
  enroll?: boolean;
  /** must be refused with this code (for damage a tolerant decoder would read past) */
  refusedAs?: 'BAD_IMAGE' | 'IMAGE_TOO_LARGE';
}

export interface HostileMetadata {
  kind: 'metadata';
  name: string;
  /** the JSON text of a person's metadata, as a client would send it */
  json: string;
  valid?: boolean;
}

/** A path a client names; `setup` makes it exist (or not) under `root`, next to `outside`. */
export interface HostilePath {
  kind: 'path';
  name: string;
  path: (dirs: { root: string; outside: string }) => string;
  valid?: boolean;
}

export type HostileInput = HostileImage | HostileMetadata | HostilePath;

const FACE_PHOTO = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';
const FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif'] as const;
type Format = (typeof FORMATS)[number];

/** A 320x240 noisy photo-like image in `format` (a face-free control). */
async function control(format: Format): Promise<Buffer> {
  return sharp(FACE_PHOTO).resize(320, 240).toFormat(format, format === 'avif' ? { quality: 40, effort: 0 } : {}).toBuffer();
}

/** Rewrites a JPEG's frame header (SOFn) dimensions. */
export function jpegWithSize(jpg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpg);
  for (let i = 2; i + 9 < out.length; i += 2 + out.readUInt16BE(i + 2)) {
    const marker = out[i + 1];
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
  }
  throw new Error('no JPEG frame header');
}

/** Rewrites a PNG's IHDR dimensions, with a correct CRC (so only the size lies). */
function pngWithSize(png: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(png);
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

/** Rewrites the size in a WebP's VP8/VP8L/VP8X header. */
function webpWithSize(webp: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(webp);
  const chunk = out.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') {
    out.writeUInt16LE(width & 0x3fff, 26);
    out.writeUInt16LE(height & 0x3fff, 28);
  } else if (chunk === 'VP8X') {
    out.writeUIntLE(width - 1, 24, 3);
    out.writeUIntLE(height - 1, 27, 3);
  } else {
    const bits = ((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14) | (out.readUInt32LE(21) & 0xf0000000);
    out.writeUInt32LE(bits >>> 0, 21);
  }
  return out;
}

/** Rewrites a GIF's logical screen and its first image descriptor. */
function gifWithSize(gif: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(gif);
  out.writeUInt16LE(width, 6);
  out.writeUInt16LE(height, 8);
  const desc = out.indexOf(0x2c, 13);
  if (desc > 0) {
    out.writeUInt16LE(width, desc + 5);
    out.writeUInt16LE(height, desc + 7);
  }
  return out;
}

/** Rewrites ImageWidth/ImageLength in a little-endian TIFF's first IFD. */
function tiffWithSize(tiff: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(tiff);
  const ifd = out.readUInt32LE(4);
  const n = out.readUInt16LE(ifd);
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + i * 12;
    const tag = out.readUInt16LE(e);
    if (tag !== 256 && tag !== 257) continue;
    const type = out.readUInt16LE(e + 2);
    const v = tag === 256 ? width : height;
    if (type === 3) out.writeUInt16LE(Math.min(v, 0xffff), e + 8);
    else out.writeUInt32LE(v, e + 8);
  }
  return out;
}

/** Rewrites the 'ispe' (image spatial extent) boxes of an AVIF/HEIF. */
function heifWithSize(heif: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(heif);
  for (let i = out.indexOf('ispe'); i >= 0; i = out.indexOf('ispe', i + 4)) {
    out.writeUInt32BE(width, i + 8);
    out.writeUInt32BE(height, i + 12);
  }
  return out;
}

/** A valid black 1-bit PNG: a few kilobytes that decode to width x height pixels. */
export function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth; colour type 0 (grey), deflate, filter 0, no interlace
  const rows = Buffer.alloc(height * (1 + Math.ceil(width / 8))); // filter byte 0 and black pixels, row after row
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const RESIZE: Record<Format, (b: Buffer, w: number, h: number) => Buffer> = {
  jpeg: jpegWithSize, png: pngWithSize, webp: webpWithSize, gif: gifWithSize, tiff: tiffWithSize, avif: heifWithSize,
};

/** The turbulence-and-blur SVG of the issue: 247 bytes, minutes and gigabytes to render. */
const SVG_BOMB = '<svg xmlns="http://www.w3.org/2000/svg" width="6000" height="6000"><filter id="f"><feTurbulence baseFrequency=".9" numOctaves="40"/><feGaussianBlur stdDeviation="900"/></filter><rect width="100%" height="100%" filter="url(#f)"/></svg>';

async function imageCases(): Promise<HostileImage[]> {
  const out: HostileImage[] = [];
  for (const format of FORMATS) {
    const good = await control(format);
    out.push({ kind: 'image', name: `${format}-control`, bytes: good, valid: true });
    for (const f of [0.1, 0.5, 0.9]) out.push({ kind: 'image', name: `${format}-truncated-${f * 100}pct`, bytes: good.subarray(0, Math.floor(good.length * f)) });
    const wrongMagic = Buffer.from(good);
    wrongMagic.fill(0, 0, 4);
    out.push({ kind: 'image', name: `${format}-wrong-magic`, bytes: wrongMagic });
    out.push({ kind: 'image', name: `${format}-header-claims-60000x60000`, bytes: RESIZE[format](good, 60000, 60000) });
    out.push({ kind: 'image', name: `${format}-header-claims-6000x6000`, bytes: RESIZE[format](good, 6000, 6000) });
  }
  // real bombs: tiny files that really decode to huge images
  out.push({ kind: 'image', name: 'png-bomb-100-megapixels', bytes: pngBomb(10000, 10000) });
  out.push({ kind: 'image', name: 'png-bomb-36-megapixels', bytes: pngBomb(6000, 6000), valid: true });
  out.push({ kind: 'image', name: 'webp-bomb-16383x16383', bytes: webpWithSize(await sharp({ create: { width: 64, height: 64, channels: 3, background: '#888' } }).webp({ lossless: true }).toBuffer(), 16383, 16383) });
  // the JPEG: 6000x6000 declared over a 640-wide photo's data, baseline and progressive
  const small = await sharp(FACE_PHOTO).resize(640).jpeg({ quality: 60 }).toBuffer();
  out.push({ kind: 'image', name: 'jpeg-lying-6000x6000-baseline', bytes: jpegWithSize(small, 6000, 6000) });
  out.push({ kind: 'image', name: 'jpeg-lying-6000x6000-progressive', bytes: jpegWithSize(await sharp(FACE_PHOTO).resize(640).jpeg({ quality: 60, progressive: true }).toBuffer(), 6000, 6000) });
  out.push({ kind: 'image', name: 'jpeg-lying-1200x900', bytes: jpegWithSize(small, 1200, 900) });
  out.push({ kind: 'image', name: 'jpeg-face-photo', bytes: small, valid: true });
  // a JPEG carrying 8 MB of APP segments before a small image: big, but honest
  const app = Buffer.alloc(65535 + 2);
  app.writeUInt16BE(0xffe9, 0);
  app.writeUInt16BE(65535, 2);
  out.push({ kind: 'image', name: 'jpeg-8mb-of-app-segments', bytes: Buffer.concat([small.subarray(0, 2), ...Array.from({ length: 128 }, () => app), small.subarray(2)]), valid: true });
  // PNG damage
  const png = await control('png');
  const badIhdrCrc = Buffer.from(png);
  badIhdrCrc[29] ^= 0xff;
  out.push({ kind: 'image', name: 'png-bad-ihdr-crc', bytes: badIhdrCrc });
  const badIdat = Buffer.from(png);
  badIdat[png.indexOf('IDAT') + 40] ^= 0xff;
  out.push({ kind: 'image', name: 'png-bad-idat-byte', bytes: badIdat });
  out.push({ kind: 'image', name: 'png-no-iend', bytes: png.subarray(0, png.length - 12), refusedAs: 'BAD_IMAGE' });
  // a GIF whose logical screen claims 65535x65535 (4.3 gigapixels) around its 320x240 frame
  const gif = await control('gif');
  const hugeScreen = Buffer.from(gif);
  hugeScreen.writeUInt16LE(65535, 6);
  hugeScreen.writeUInt16LE(65535, 8);
  out.push({ kind: 'image', name: 'gif-logical-screen-65535x65535', bytes: hugeScreen, refusedAs: 'IMAGE_TOO_LARGE' });
  // netpbm: headers claiming gigapixels, a real 100-megapixel bitmap, truncations
  out.push({ kind: 'image', name: 'pgm-claims-200000x200000', bytes: Buffer.from('P5\n200000 200000\n255\n') });
  out.push({ kind: 'image', name: 'ppm-claims-40000x40000', bytes: Buffer.concat([Buffer.from('P6\n40000 40000\n255\n'), Buffer.alloc(1000)]) });
  out.push({ kind: 'image', name: 'pbm-100-megapixels', bytes: Buffer.concat([Buffer.from('P4\n10000 10000\n'), Buffer.alloc(10000 * 10000 / 8)]) });
  out.push({ kind: 'image', name: 'pgm-claims-9-digit-width', bytes: Buffer.from('P2 999999999 999999999 255\n1 2 3') });
  out.push({ kind: 'image', name: 'pgm-negative-width', bytes: Buffer.from('P5 -5 20 255\n') });
  const pgm = Buffer.concat([Buffer.from('P5\n320 240\n255\n'), Buffer.alloc(320 * 240, 128)]);
  out.push({ kind: 'image', name: 'pgm-control', bytes: pgm, valid: true });
  for (const f of [0.1, 0.5, 0.9]) out.push({ kind: 'image', name: `pgm-truncated-${f * 100}pct`, bytes: pgm.subarray(0, Math.floor(pgm.length * f)) });
  // SVG, refused however it is dressed
  out.push({ kind: 'image', name: 'svg-turbulence-bomb', bytes: Buffer.from(SVG_BOMB) });
  out.push({ kind: 'image', name: 'svg-with-xml-declaration-and-bom', bytes: Buffer.from('\ufeff<?xml version="1.0"?>\n' + SVG_BOMB) });
  out.push({ kind: 'image', name: 'svgz-gzipped-bomb', bytes: gzipSync(SVG_BOMB) });
  out.push({ kind: 'image', name: 'svg-external-entity', bytes: Buffer.from('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><text>&x;</text></svg>') });
  // not images at all
  out.push({ kind: 'image', name: 'empty', bytes: Buffer.alloc(0) });
  out.push({ kind: 'image', name: 'one-byte', bytes: Buffer.from([0xff]) });
  out.push({ kind: 'image', name: 'jpeg-magic-only', bytes: Buffer.from([0xff, 0xd8, 0xff]) });
  out.push({ kind: 'image', name: 'random-4kb', bytes: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)) });
  out.push({ kind: 'image', name: 'html-page', bytes: Buffer.from('<!doctype html><html><body><img src=x onerror=alert(1)></body></html>') });
  out.push({ kind: 'image', name: 'gzip-of-zeros', bytes: gzipSync(Buffer.alloc(10 * 1024 * 1024)) });
  out.push({ kind: 'image', name: 'bmp-header', bytes: Buffer.concat([Buffer.from('BM'), Buffer.alloc(200)]) });
  out.push({ kind: 'image', name: 'pdf-header', bytes: Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF') });
  out.push({ kind: 'image', name: 'text-14mb', bytes: Buffer.alloc(14 * 1024 * 1024, 'A') });
  out.push({ kind: 'image', name: 'over-the-byte-limit-16mb', bytes: Buffer.concat([small, Buffer.alloc(16 * 1024 * 1024)]) });
  // shapes
  out.push({ kind: 'image', name: 'png-1x1', bytes: await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toBuffer() });
  out.push({ kind: 'image', name: 'png-16x20000-strip', bytes: await sharp({ create: { width: 16, height: 20000, channels: 3, background: '#777' } }).png().toBuffer(), valid: true });
  out.push({ kind: 'image', name: 'tiny-face-16x16', bytes: await sharp(FACE_PHOTO).extract({ left: 416, top: 358, width: 185, height: 235 }).resize(16, 16).png().toBuffer(), valid: true, enroll: true });
  return out;
}

function metadataCases(): HostileMetadata[] {
  const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  return [
    { kind: 'metadata', name: 'metadata-60kb', json: JSON.stringify({ notes: 'x'.repeat(60 * 1024) }), valid: true },
    { kind: 'metadata', name: 'metadata-70kb', json: JSON.stringify({ notes: 'x'.repeat(70 * 1024) }) },
    { kind: 'metadata', name: 'metadata-5mb', json: JSON.stringify({ notes: 'x'.repeat(5 * 1024 * 1024) }) },
    { kind: 'metadata', name: 'metadata-100k-keys', json: JSON.stringify(Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]))) },
    { kind: 'metadata', name: 'metadata-nested-100000-deep', json: nested(100_000) },
    { kind: 'metadata', name: 'metadata-array', json: '[1,2,3]' },
    { kind: 'metadata', name: 'metadata-proto-pollution', json: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}' },
  ];
}

function pathCases(): HostilePath[] {
  return [
    { kind: 'path', name: 'path-in-root', path: ({ root }) => join(root, 'photo.jpg'), valid: true },
    { kind: 'path', name: 'path-directory', path: ({ root }) => join(root, 'sub') },
    { kind: 'path', name: 'path-etc-passwd', path: () => '/etc/passwd' },
    { kind: 'path', name: 'path-dot-dot-escape', path: () => '../../../../../../etc/passwd' },
    { kind: 'path', name: 'path-symlink-out-of-root', path: ({ root }) => join(root, 'link.jpg') },
    { kind: 'path', name: 'path-fifo', path: ({ root }) => join(root, 'fifo') },
    { kind: 'path', name: 'path-dev-zero', path: () => '/dev/zero' },
    { kind: 'path', name: 'path-nul-byte', path: ({ root }) => join(root, 'photo.jpg\0.png') },
    { kind: 'path', name: 'path-5000-chars', path: ({ root }) => join(root, 'a'.repeat(5000)) },
    { kind: 'path', name: 'path-missing', path: ({ root }) => join(root, 'missing.jpg') },
  ];
}

export async function hostileCorpus(): Promise<HostileInput[]> {
  return [...(await imageCases()), ...metadataCases(), ...pathCases()];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? 'hostile-corpus';
  mkdirSync(dir, { recursive: true });
  const corpus = await hostileCorpus();
  for (const c of corpus) if (c.kind === 'image') writeFileSync(join(dir, c.name), c.bytes);
  console.log(`${corpus.length} inputs; ${corpus.filter((c) => c.kind === 'image').length} image files written to ${dir}`);
}
