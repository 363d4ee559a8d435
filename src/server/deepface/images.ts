import { readFile, stat } from 'node:fs/promises';
import type { FastifyRequest } from 'fastify';
import { FacekitError } from '../../errors/index.js';
import { sniffFormat } from '../../image/index.js';
import { fileUnderRoot } from '../image-root.js';
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

const PATH_MAX = 4096;

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
    const buf = decodeBase64Image(value, opts.maxBytes);
    if (!buf) throw new FacekitError('BAD_IMAGE', `'${field}' is a data URL without valid base64 content`);
    return buf;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return fetchImageUrl(value, field, opts.urls);
  let refusal = 'image paths are disabled on this server (start it with --image-root DIR to allow files under DIR)';
  if (opts.imageRoot) {
    const file = await fileUnderRoot(opts.imageRoot, value);
    if ('path' in file) {
      const s = await stat(file.path);
      if (s.size > opts.maxBytes) throw new FacekitError('IMAGE_TOO_LARGE', `'${field}' file is ${s.size} bytes; the limit is ${opts.maxBytes}`);
      return readFile(file.path);
    }
    refusal = file.refused;
  }
  // '/etc/passwd' is valid base64 too: short text with path characters (paths fit in PATH_MAX,
  // images do not) counts as base64 only when it decodes to an image, so a refused path says so
  const buf = field.endsWith('_path') ? null : decodeBase64Image(value, opts.maxBytes);
  const pathLike = value.length <= PATH_MAX && /[/.\\]/.test(value);
  if (buf && (!pathLike || sniffFormat(buf) !== null)) return buf;
  throw new FacekitError('BAD_IMAGE', `'${field}' was refused as an image path: ${refusal}; or send the image as a multipart file, a data URL or base64`);
}

/**
 * deepface decodes an uploaded file while reading the request (extract_image_from_request), so a
 * file that is no image is its `{"exception": ...}` 400; facekit reads the format from the header.
 */
function uploadedImage(buf: Buffer, field: string): Buffer {
  const format = sniffFormat(buf);
  if (format !== null && format !== 'svg') return buf;
  throw new ImageFieldError(`the file uploaded as '${field}' is not an image facekit can read (JPEG, PNG, WebP, GIF, TIFF, AVIF, HEIF, PGM/PPM)`);
}
