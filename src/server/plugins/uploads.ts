import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FacekitError } from '../../errors/index.js';
import { HttpError } from '../http-error.js';
import '../fastify-types.js';

export interface UploadLimits {
  /** bytes per uploaded file */
  fileBytes: number;
  /** files per request */
  files: number;
  /** all files of one request together */
  totalBytes: number;
}

/**
 * Multipart bodies are read in preValidation: file parts go to `request.uploads` as Buffers and
 * text parts become `request.body`, so the same JSON schema (with Ajv's type coercion) validates
 * options whether they came as JSON or as form fields.
 */
export async function installUploads(app: FastifyInstance, limits: UploadLimits): Promise<void> {
  await app.register(multipart, {
    limits: { fileSize: limits.fileBytes, files: limits.files, fields: 100, fieldSize: 1 << 20, parts: limits.files + 100 },
    throwFileSizeLimit: true,
  });
  app.decorate('imageByteLimit', limits.fileBytes);
  app.decorateRequest('uploads', null);
  app.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    const uploads = new Map<string, Buffer[]>();
    const fields: Record<string, unknown> = {};
    let total = 0;
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const buf = await part.toBuffer();
        total += buf.length;
        if (total > limits.totalBytes) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `uploaded files exceed ${limits.totalBytes} bytes in total`);
        const list = uploads.get(part.fieldname) ?? [];
        list.push(buf);
        uploads.set(part.fieldname, list);
      } else {
        const value = typeof part.value === 'string' ? part.value : String(part.value);
        const prev = fields[part.fieldname];
        fields[part.fieldname] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
      }
    }
    request.uploads = uploads;
    request.body = fields;
  });
}

const DATA_URL = /^data:([a-z0-9.+/-]*)?(;[a-z0-9=.+-]+)*;base64,/i;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Decodes a data URL or raw base64 (standard or URL-safe alphabet); null when it is neither.
 * An image over `maxBytes` is IMAGE_TOO_LARGE, judged from the text's length before decoding:
 * the limit on multipart files holds however an image arrives.
 */
export function decodeBase64Image(text: string, maxBytes: number): Buffer | null {
  const m = DATA_URL.exec(text);
  const payload = (m ? text.slice(m[0].length) : text).replace(/\s+/g, '');
  if (payload.length === 0 || !BASE64.test(payload)) return null;
  const bytes = Math.floor((payload.replace(/=+$/, '').length * 3) / 4);
  if (bytes > maxBytes) throw new FacekitError('IMAGE_TOO_LARGE', `the base64 image is ${bytes} bytes; the limit is ${maxBytes}`, { bytes, limit: maxBytes });
  const buf = Buffer.from(payload, payload.includes('-') || payload.includes('_') ? 'base64url' : 'base64');
  return buf.length ? buf : null;
}

/**
 * The one place either body shape becomes image Buffers: multipart file parts named `field`,
 * or the JSON field `field` holding a base64 string or a list of them.
 */
export function imagesFrom(request: FastifyRequest, field: string, opts: { required?: boolean } = {}): Buffer[] {
  const files = request.uploads?.get(field);
  if (files?.length) return files;
  const body = (request.body ?? {}) as Record<string, unknown>;
  const v = body[field];
  const list = v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
  const out = list.map((s, i) => {
    if (typeof s !== 'string') throw new FacekitError('BAD_IMAGE', `field '${field}' must be base64 text, a data URL or a multipart file`);
    const buf = decodeBase64Image(s, request.server.imageByteLimit);
    if (!buf) throw new FacekitError('BAD_IMAGE', `field '${field}'${list.length > 1 ? `[${i}]` : ''} is neither base64 nor a data URL`);
    return buf;
  });
  if (opts.required && out.length === 0) {
    throw new FacekitError('BAD_ARGUMENT', `missing image '${field}': send it as a multipart file or as base64 / a data URL in a JSON body`);
  }
  return out;
}

/** Exactly one image in `field`. */
export function imageFrom(request: FastifyRequest, field: string): Buffer {
  const list = imagesFrom(request, field, { required: true });
  if (list.length > 1) throw new FacekitError('BAD_ARGUMENT', `field '${field}' takes one image, got ${list.length}`);
  return list[0];
}
