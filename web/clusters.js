// The Clusters view: a folder under the server's photos root grouped by person, one row of faces
// per cluster, largest first; a cluster can be named (its best faces are enrolled as that person).
import { ApiError, apiKey } from './api.js';

const $ = (id) => document.getElementById(id);

async function call(method, path, body) {
  const headers = { 'content-type': 'application/json' };
  const key = apiKey();
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? `HTTP_${res.status}`, data?.error?.message ?? `${method} ${path} failed`);
  return data;
}

/** Thumbnails go through fetch so the API key header is sent; shown as object URLs. */
async function thumb(dir, faceId, title) {
  const img = document.createElement('img');
  img.width = 72;
  img.height = 72;
  img.alt = title;
  img.title = title;
  const headers = apiKey() ? { authorization: `Bearer ${apiKey()}` } : {};
  fetch(`/v1/clusters/faces/${faceId}?dir=${encodeURIComponent(dir)}`, { headers })
    .then((r) => (r.ok ? r.blob() : null))
    .then((b) => { if (b) img.src = URL.createObjectURL(b); });
  return img;
}

function status(text, kind = '') {
  const el = $('clusters-result');
  el.textContent = text;
  el.className = `result ${kind}`.trim();
}

async function render(dir, data) {
  const list = $('clusters-list');
  list.replaceChildren();
  const faces = data.clusters.reduce((n, c) => n + c.faces.length, 0);
  status(`${data.clusters.length} clusters, ${faces} faces; ${data.unclustered.length} unclustered (below the quality bar)`);
  for (const c of data.clusters) {
    const li = document.createElement('li');
    li.className = 'cluster';
    li.dataset.cluster = c.id;
    const head = document.createElement('div');
    head.className = 'cluster-head';
    const label = document.createElement('strong');
    label.textContent = `${c.id}${c.name ? ` — ${c.name}` : ''} (${c.faces.length})`;
    const form = document.createElement('form');
    const input = document.createElement('input');
    input.placeholder = c.name ? 'rename' : 'name this person';
    input.maxLength = 200;
    input.required = true;
    const btn = document.createElement('button');
    btn.type = 'submit';
    btn.textContent = 'Name';
    form.append(input, btn);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      btn.disabled = true;
      try {
        const r = await call('POST', `/v1/clusters/${encodeURIComponent(c.id)}/name`, { dir, name: input.value.trim() });
        // re-rendering writes its own summary line, so the naming result is written after it
        await render(dir, await call('GET', `/v1/clusters?dir=${encodeURIComponent(dir)}`));
        status(`${c.id} is now ${r.name}: ${r.enrolled} face${r.enrolled === 1 ? '' : 's'} enrolled`, 'ok');
      } catch (err) {
        status(`${err.message} (${err.code ?? 'error'})`, 'error');
      } finally {
        btn.disabled = false;
      }
    });
    head.append(label, form);
    const row = document.createElement('div');
    row.className = 'cluster-faces';
    for (const f of c.faces.slice(0, 30)) row.append(await thumb(dir, f.faceId, f.file));
    if (c.faces.length > 30) row.append(Object.assign(document.createElement('span'), { className: 'muted', textContent: ` +${c.faces.length - 30} more` }));
    li.append(head, row);
    list.append(li);
  }
}

async function load(run) {
  const dir = $('clusters-dir').value.trim();
  if (!dir) return status('give a folder under the server\'s photos root', 'error');
  status(run ? 'clustering (new photos are embedded, this can take a while)…' : 'loading…');
  try {
    const data = run ? await call('POST', '/v1/clusters', { dir }) : await call('GET', `/v1/clusters?dir=${encodeURIComponent(dir)}`);
    await render(dir, data);
  } catch (err) {
    status(`${err.message} (${err.code ?? 'error'})`, 'error');
  }
}

$('clusters-form').addEventListener('submit', (e) => { e.preventDefault(); load(true); });
$('clusters-show').addEventListener('click', () => load(false));
