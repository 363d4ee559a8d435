import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { FacekitError } from '../../errors/index.js';
import { decodeBase64Image } from '../plugins/uploads.js';

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
    const buf = decodeBase64Image(value);
    if (!buf) throw new FacekitError('BAD_IMAGE', `'${field}' is a data URL without valid base64 content`);
    return buf;
  }
  if (/^https?:\/\//i.test(value)) {
    throw new FacekitError('BAD_ARGUMENT', `'${field}' is a URL; this server does not fetch URLs: send the image as a multipart file, a data URL or base64`);
  }
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
      ? `'${field}' is neither base64, a data URL, nor a file under the server's image root`
      : `'${field}' is neither base64 nor a data URL (image paths are disabled; start the server with --image-root DIR to allow files under DIR)`,
  );
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
