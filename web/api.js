// The /v1 REST API as small functions; errors come back as Error with the server's code and message.

const KEY_STORAGE = 'facekit.apiKey';

export function apiKey() {
  return localStorage.getItem(KEY_STORAGE) ?? '';
}

export function setApiKey(key) {
  if (key) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
}

const COLLECTION_STORAGE = 'facekit.collection';

/** The gallery collection the page works on ('default' unless chosen; kept in this browser). */
export function collection() {
  return localStorage.getItem(COLLECTION_STORAGE) || 'default';
}

export function setCollection(name) {
  if (name && name !== 'default') localStorage.setItem(COLLECTION_STORAGE, name);
  else localStorage.removeItem(COLLECTION_STORAGE);
}

/** `path` on the chosen collection: the gallery routes take ?collection=NAME */
function inCollection(path) {
  const c = collection();
  if (c === 'default') return path;
  return `${path}${path.includes('?') ? '&' : '?'}collection=${encodeURIComponent(c)}`;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** the API key header (when one is set) added to `extra` */
export function authHeaders(extra = {}) {
  const key = apiKey();
  return key ? { ...extra, authorization: `Bearer ${key}` } : extra;
}

async function request(method, path, body, extra = {}) {
  const res = await fetch(path, { method, headers: authHeaders(extra), body });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = data?.error ?? {};
    throw new ApiError(res.status, err.code ?? 'HTTP_' + res.status, err.message ?? `${method} ${path} failed (${res.status})`);
  }
  return data;
}

/** a call with a JSON body (or none) */
export function callJson(method, path, body) {
  return body === undefined ? request(method, path) : request(method, path, JSON.stringify(body), { 'content-type': 'application/json' });
}

function form(fields, files) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== '') f.append(k, v);
  for (const [k, list] of Object.entries(files)) for (const blob of list) f.append(k, blob, blob.name ?? `${k}.jpg`);
  return f;
}

export const api = {
  listPeople: (offset = 0, limit = 100) => request('GET', inCollection(`/v1/people?offset=${offset}&limit=${limit}`)),
  getPerson: (id) => request('GET', inCollection(`/v1/people/${encodeURIComponent(id)}`)),
  // force: enroll photos the quality review would refuse (422 LOW_QUALITY with the reasons)
  createPerson: (name, images, force = false) => request('POST', inCollection('/v1/people'), form({ name, force: force ? 'true' : undefined }, { images })),
  deletePerson: (id) => request('DELETE', inCollection(`/v1/people/${encodeURIComponent(id)}`)),
  deleteFace: (id, faceId) => request('DELETE', inCollection(`/v1/people/${encodeURIComponent(id)}/faces/${encodeURIComponent(faceId)}`)),
  identify: (image) => request('POST', inCollection('/v1/identify'), form({}, { image: [image] })),
  verify: (image1, image2, model) => request('POST', inCollection('/v1/verify'), form({ model }, { image1: [image1], image2: [image2] })),
  listCollections: () => request('GET', '/v1/collections'),
};
