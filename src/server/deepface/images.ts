import { readFile, stat } from 'node:fs/promises';
import type { FastifyRequest } from 'fastify';
import { FacekitError } from '../../errors/index.js';
import { sniffFormat } from '../../image/index.js';
import { fileUnderRoot } from '../image-root.js';
import { decodeBase64Image } from '../plugins/uploads.js';

const PATH_MAX = 4096;

/**
 * deepface takes an image as a multipart file, a data URL, an http(s) URL or a file path. Here:
 * files and data URLs (and raw base64) always; URLs never (no outbound fetches from a face
 * server); paths only inside an operator-chosen image root, because reading arbitrary server
 * paths on a client's say-so would leak the filesystem.
 */
export async function deepfaceImage(request: FastifyRequest, names: string[], opts: { imageRoot: string | null; maxBytes: number }): Promise<Buffer> {
  for (const n of names) {
    const files = request.uploads?.get(n);
    if (files?.length) return files[0];
  }
  const body = (request.body ?? {}) as Record<string, unknown>;
  const field = names.find((n) => body[n] !== undefined && body[n] !== '');
  if (!field) throw new FacekitError('BAD_ARGUMENT', `'${names[0]}' not found in either json or form data request`);
  const value = body[field];
  if (typeof value !== 'string') throw new FacekitError('BAD_IMAGE', `'${field}' must be a string (data URL, base64 or path) or a multipart file`);
  if (/^data:/i.test(value)) {
    const buf = decodeBase64Image(value, opts.maxBytes);
    if (!buf) throw new FacekitError('BAD_IMAGE', `'${field}' is a data URL without valid base64 content`);
    return buf;
  }
  if (/^https?:\/\//i.test(value)) {
    throw new FacekitError('BAD_ARGUMENT', `'${field}' is a URL; this server does not fetch URLs: send the image as a multipart file, a data URL or base64`);
  }
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
