import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { FacekitError } from '../../errors/index.js';
import { isNetpbm } from '../../image/netpbm.js';
import { loadSharp } from '../../image/sharp.js';
import { decodeBase64Image } from '../plugins/uploads.js';
import { fetchImageUrl, type UrlFetchPolicy } from './fetch-url.js';
import { ImageFieldError } from './protocol.js';

export interface DeepfaceImageOptions {
  /** directory image paths may be read from; null refuses paths */
  imageRoot: string | null;
  /** bytes per image file read from the root */
  maxBytes: number;
  urls: UrlFetchPolicy;
}

/**
 * deepface takes an image as a multipart file, a data URL, raw base64, an http(s) URL or a file
 * path. Files, data URLs and base64 always work; URLs only under the operator's fetch policy
 * (fetch-url.ts); paths only inside an operator-chosen image root, because reading arbitrary
 * server paths on a client's say-so would leak the filesystem.
 */
export async function deepfaceImage(request: FastifyRequest, names: string[], opts: DeepfaceImageOptions): Promise<Buffer> {
  const input = await deepfaceInput(request, names, opts);
  if (!Buffer.isBuffer(input)) throw new FacekitError('BAD_IMAGE', `'${names[0]}' must be an image (a string or a multipart file), not a list`);
  return input;
}

/**
 * An image, or the embedding deepface's verify also takes in its place (a list of numbers,
 * JSON bodies only). `names` are the field's current name, then older deepface names for it
 * (img_path, img1_path, ...).
 */
export async function deepfaceInput(request: FastifyRequest, names: string[], opts: DeepfaceImageOptions): Promise<Buffer | number[]> {
  for (const n of names) {
    const files = request.uploads?.get(n);
    if (files?.length) return uploadedImage(files[0], n);
  }
  const body = (request.body ?? {}) as Record<string, unknown>;
  const field = names.find((n) => body[n] !== undefined && body[n] !== null && body[n] !== '');
  if (!field) throw new ImageFieldError(`'${names[0]}' not found in either json or form data request`);
  const value = body[field];
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((x) => typeof x === 'number' && Number.isFinite(x))) return value as number[];
    throw new FacekitError('BAD_ARGUMENT', `'${field}' as a list must be an embedding: a non-empty list of numbers`);
  }
  if (typeof value !== 'string') throw new FacekitError('BAD_IMAGE', `'${field}' must be a string (data URL, base64, URL or path) or a multipart file`);
  if (/^data:/i.test(value)) {
    const buf = decodeBase64Image(value);
    if (!buf) throw new FacekitError('BAD_IMAGE', `'${field}' is a data URL without valid base64 content`);
    return buf;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return fetchImageUrl(value, field, opts.urls);
  if (opts.imageRoot) {
    const file = await fileInRoot(opts.imageRoot, value);
    if (file) {
      const s = await stat(file);
      if (s.size > opts.maxBytes) throw new FacekitError('IMAGE_TOO_LARGE', `'${field}' file is ${s.size} bytes; the limit is ${opts.maxBytes}`);
      return readFile(file);
    }
  }
  const buf = decodeBase64Image(value);
  if (buf) return buf;
  throw new FacekitError(
    'BAD_IMAGE',
    opts.imageRoot
      ? `'${field}' is neither base64, a data URL, a URL, nor a file under the server's image root`
      : `'${field}' is neither base64, a data URL nor a URL (image paths are disabled; start the server with --image-root DIR to allow files under DIR)`,
  );
}

/**
 * deepface decodes an uploaded file while reading the request (extract_image_from_request), so a
 * file that is no image is its `{"exception": ...}` 400; facekit reads the format from the header.
 */
async function uploadedImage(buf: Buffer, field: string): Promise<Buffer> {
  if (isNetpbm(buf)) return buf;
  try {
    const sharp = await loadSharp();
    if ((await sharp(buf).metadata()).format) return buf;
  } catch {
    // not a format sharp reads
  }
  throw new ImageFieldError(`the file uploaded as '${field}' is not an image facekit can read (JPEG, PNG, WebP, GIF, TIFF, AVIF, HEIF, PGM/PPM)`);
}

/** The real path of `p` when it is an existing file inside `root`; null otherwise. */
async function fileInRoot(root: string, p: string): Promise<string | null> {
  if (p.includes('\0')) return null;
  try {
    const realRoot = await realpath(root);
    const candidate = await realpath(isAbsolute(p) ? p : resolve(realRoot, p));
    if (!candidate.startsWith(realRoot + sep)) return null;
    return (await stat(candidate)).isFile() ? candidate : null;
  } catch {
    return null;
  }
}
