import { readFile } from 'node:fs/promises';

/**
 * TF.js in Node loads models with fetch(), and Node's fetch has no file:// support. The baselines
 * load weights from installed packages, so file URLs are served from disk here (benchmarks only).
 */
export function installFileFetch(): void {
  const real = globalThis.fetch;
  if ((real as { fileAware?: boolean }).fileAware) return;
  const patched = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const u = typeof url === 'string' ? url : url instanceof URL ? url.href : url.url;
    if (u.startsWith('file://')) {
      const body = await readFile(new URL(u));
      return new Response(body, { status: 200, headers: { 'content-type': u.endsWith('.json') ? 'application/json' : 'application/octet-stream' } });
    }
    return real(url, init);
  };
  (patched as { fileAware?: boolean }).fileAware = true;
  globalThis.fetch = patched as typeof fetch;
}
