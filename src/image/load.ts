/**
 * Every way an image enters facekit ends here as an 8-bit RGB RgbImage, or as a FacekitError
 * (BAD_IMAGE / IMAGE_TOO_LARGE) with a one-line message. Decoding is sharp's (libvips), plus a
 * hand-written netpbm reader because sharp's build has no ppm loader.
 *
 * Alpha is flattened onto WHITE by default: transparent-background portraits are usually cut-outs
 * meant to be seen on a light page, and a black surround would bias dark-skin/dark-hair edges.
 */
import { readFile, stat } from 'node:fs/promises';
import type { SharpOptions, Metadata } from 'sharp';
import { loadSharp } from './sharp.js';
import { FacekitError } from '../errors/index.js';
import { decodeNetpbm, readNetpbmHeader } from './netpbm.js';
import { FORMAT_NAMES, gifScreen, isHeic, minJpegBytes, pngDamage, READABLE_FORMATS, sniffFormat, type ImageFormat } from './format.js';
import type { RgbImage } from './types.js';

export interface RawPixels {
  data: Uint8Array | Uint8ClampedArray | Buffer;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

export type ImageInput = string | Buffer | Uint8Array | RawPixels;

export interface LoadImageOptions {
  /** largest accepted encoded size in bytes (default 50 MB) */
  maxBytes?: number;
  /** largest accepted pixel count (default 50 megapixels) */
  maxPixels?: number;
  /** smallest accepted width and height: anything smaller cannot hold a face (default 16) */
  minSide?: number;
  /** colour under transparent pixels (default white) */
  background?: 'white' | 'black';
}

export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;
export const DEFAULT_MAX_PIXELS = 50_000_000;
export const DEFAULT_MIN_SIDE = 16;

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const mp = (n: number) => `${(n / 1e6).toFixed(1)} megapixels`;

function isRawPixels(x: unknown): x is RawPixels {
  return typeof x === 'object' && x !== null && !(x instanceof Uint8Array) && 'data' in x && 'width' in x && 'height' in x;
}

function checkDims(width: number, height: number, o: Required<Omit<LoadImageOptions, 'background'>>, what: string): void {
  if (width * height > o.maxPixels) {
    throw new FacekitError('IMAGE_TOO_LARGE', `${what} is ${width}x${height} (${mp(width * height)}), over the limit of ${mp(o.maxPixels)}`, { width, height, limit: o.maxPixels });
  }
  if (width < o.minSide || height < o.minSide) {
    throw new FacekitError('BAD_IMAGE', `${what} is ${width}x${height}, too small to hold a face (minimum ${o.minSide}x${o.minSide})`, { width, height });
  }
}

/** Interleaved 1/3/4-channel 8-bit pixels to RGB; alpha blended onto `bg` (0 or 255). */
export function pixelsToRgb(src: ArrayLike<number>, width: number, height: number, channels: 1 | 3 | 4, bg = 255): RgbImage {
  const n = width * height;
  if (src.length < n * channels) {
    throw new FacekitError('BAD_IMAGE', `raw pixels: ${src.length} bytes is too few for ${width}x${height}x${channels}`);
  }
  const out = new Uint8Array(n * 3);
  if (channels === 3) {
    for (let i = 0; i < n * 3; i++) out[i] = src[i];
  } else if (channels === 1) {
    for (let i = 0; i < n; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = src[i];
  } else {
    for (let i = 0; i < n; i++) {
      const a = src[4 * i + 3] / 255;
      for (let c = 0; c < 3; c++) out[3 * i + c] = Math.round(src[4 * i + c] * a + bg * (1 - a));
    }
  }
  return { data: out, width, height };
}

async function readInputFile(path: string, maxBytes: number): Promise<Buffer> {
  let size: number;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new FacekitError('BAD_IMAGE', `${path} was refused: it is a directory, not an image file`, { path });
    if (!s.isFile()) throw new FacekitError('BAD_IMAGE', `${path} was refused: it is not a regular file (a device, pipe or socket)`, { path });
    size = s.size;
  } catch (e) {
    if (e instanceof FacekitError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new FacekitError('BAD_IMAGE', code === 'ENOENT' ? `image file not found: ${path}` : `cannot read image file ${path}: ${code ?? (e as Error).message}`, { path });
  }
  if (size > maxBytes) {
    throw new FacekitError('IMAGE_TOO_LARGE', `${path} is ${mb(size)}, over the limit of ${mb(maxBytes)}`, { path, bytes: size, limit: maxBytes });
  }
  return readFile(path);
}

/**
 * Bytes to pixels, refusing before anything large is allocated: the format is sniffed (only
 * those facekit reads reach a decoder; SVG never does), the declared size is read from the header
 * alone and checked against the limits, and only then are the pixels decoded.
 */
async function decodeEncoded(buf: Uint8Array, name: string, o: Required<LoadImageOptions>): Promise<RgbImage> {
  if (buf.length === 0) throw new FacekitError('BAD_IMAGE', `${name} is empty (0 bytes)`);
  if (buf.length > o.maxBytes) {
    throw new FacekitError('IMAGE_TOO_LARGE', `${name} is ${mb(buf.length)}, over the limit of ${mb(o.maxBytes)}`, { bytes: buf.length, limit: o.maxBytes });
  }
  const format = sniffFormat(buf);
  if (format === 'svg') {
    // librsvg renders filters at full canvas size: a 247-byte SVG can take minutes and gigabytes
    throw new FacekitError('BAD_IMAGE', `${name} is SVG, which facekit does not rasterise (rendering untrusted vector images is unbounded in time and memory); convert it to PNG or JPEG`);
  }
  if (format === null) throw new FacekitError('BAD_IMAGE', `${name} is not an image facekit can read (${READABLE_FORMATS})`);
  const bg = o.background === 'black' ? 0 : 255;
  if (format === 'netpbm') {
    const header = readNetpbmHeader(buf);
    checkDims(header.width, header.height, o, name);
    const p = decodeNetpbm(buf, header);
    return pixelsToRgb(p.data, p.width, p.height, p.channels, bg);
  }
  const screen = format === 'gif' ? gifScreen(buf) : null;
  if (screen && screen.width * screen.height > o.maxPixels) checkDims(screen.width, screen.height, o, `${name} (its GIF logical screen)`);
  const damage = format === 'png' ? pngDamage(buf) : null;
  if (damage) throw new FacekitError('BAD_IMAGE', `${name} is a damaged PNG: ${damage}`);
  const sharp = await loadSharp();
  const open = (failOn: SharpOptions['failOn']) => sharp(buf, { limitInputPixels: o.maxPixels, failOn, sequentialRead: true });
  // libjpeg reports missing scan data only as a warning and pads the image with grey, so JPEG
  // is decoded strictly first; 'error' elsewhere: truncated or corrupt data aborts
  const strict = open(format === 'jpeg' ? 'warning' : 'error');
  let meta: Metadata;
  try {
    // header only, on the instance that then decodes: one parse of the input, under the same pixel limit
    meta = await strict.metadata();
  } catch (e) {
    if (!/pixel limit/i.test(errorLine(e))) throw badImage(name, e, buf, format);
    try {
      meta = await sharp(buf, { limitInputPixels: false }).metadata(); // the header again, so the refusal below names the size
    } catch (e2) {
      throw badImage(name, e2, buf, format);
    }
  }
  if (!meta.width || !meta.height) throw new FacekitError('BAD_IMAGE', `${name}: not a readable image (no dimensions)`);
  checkDims(meta.width, meta.height, o, name);
  if (format === 'jpeg' && buf.length < minJpegBytes(meta.width, meta.height)) {
    throw new FacekitError('BAD_IMAGE', `${name}: its JPEG header says ${meta.width}x${meta.height}, but ${buf.length} bytes cannot hold that many pixels (truncated, or a header that lies)`, { width: meta.width, height: meta.height, bytes: buf.length });
  }
  const decode = async (img: ReturnType<typeof open>) => {
    const { data, info } = await img
      .rotate() // EXIF orientation: all coordinates refer to the upright image
      .flatten({ background: bg === 255 ? '#ffffff' : '#000000' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) return pixelsToRgb(data, info.width, info.height, info.channels as 1 | 3 | 4, bg);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  };
  try {
    return await decode(strict);
  } catch (e) {
    if (format !== 'jpeg' || MISSING_JPEG_DATA.test(errorLine(e))) throw badImage(name, e, buf, format);
  }
  try {
    return await decode(open('error')); // a JPEG warning about odd markers, which many cameras write: read leniently
  } catch (e) {
    throw badImage(name, e, buf, format);
  }
}

/** libjpeg's warnings for scan data that ends early (JWRN_HIT_MARKER, JWRN_JPEG_EOF). */
const MISSING_JPEG_DATA = /premature end/i;

const errorLine = (e: unknown): string => String((e as Error).message ?? e).split('\n')[0];

function badImage(name: string, e: unknown, buf: Uint8Array, format: ImageFormat): FacekitError {
  if (e instanceof FacekitError) return e;
  const msg = errorLine(e);
  if (isHeic(buf)) return new FacekitError('BAD_IMAGE', `${name} is HEIC (HEVC), which this build of sharp/libheif cannot decode; convert it to JPEG or AVIF (${msg})`);
  if (/pixel limit/i.test(msg)) return new FacekitError('IMAGE_TOO_LARGE', `${name}: ${msg}`);
  // (a PNG's chunk damage was looked for before decoding)
  const why = /^unknown error$/i.test(msg) ? 'the decoder gave no reason' : msg;
  return new FacekitError('BAD_IMAGE', `${name} could not be decoded as ${FORMAT_NAMES[format]} (corrupt or truncated?): ${why}`);
}

/**
 * Load a file path, encoded bytes, or raw pixels into an RgbImage. EXIF orientation is applied,
 * 16-bit and grey inputs become 8-bit RGB, alpha is flattened (see file comment).
 */
export async function loadImage(input: ImageInput, opts: LoadImageOptions = {}): Promise<RgbImage> {
  const o: Required<LoadImageOptions> = {
    maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES,
    maxPixels: opts.maxPixels ?? DEFAULT_MAX_PIXELS,
    minSide: opts.minSide ?? DEFAULT_MIN_SIDE,
    background: opts.background ?? 'white',
  };
  if (typeof input === 'string') return decodeEncoded(await readInputFile(input, o.maxBytes), input, o);
  if (input instanceof Uint8Array) return decodeEncoded(input, 'image data', o);
  if (isRawPixels(input)) {
    const { width, height, channels } = input;
    if (!Number.isInteger(width) || !Number.isInteger(height) || ![1, 3, 4].includes(channels)) {
      throw new FacekitError('BAD_IMAGE', `raw pixels need integer width/height and 1, 3 or 4 channels (got ${width}x${height}x${channels})`);
    }
    checkDims(width, height, o, 'raw image');
    return pixelsToRgb(input.data, width, height, channels, o.background === 'black' ? 0 : 255);
  }
  throw new FacekitError('BAD_IMAGE', 'image input must be a file path, a Buffer of an encoded image, or {data, width, height, channels}');
}
