// The Streams view: start watching a video source on the server, follow its events live
// (server-sent events read through fetch, so the API key header goes along), stop it.
import { apiKey } from './api.js';

const $ = (id) => document.getElementById(id);
let following = null; // { id, abort }

function headers(extra = {}) {
  const key = apiKey();
  return key ? { ...extra, authorization: `Bearer ${key}` } : extra;
}

async function call(method, path, body) {
  const res = await fetch(path, { method, headers: headers(body ? { 'content-type': 'application/json' } : {}), body: body ? JSON.stringify(body) : undefined });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(data?.error?.message ?? `${method} ${path} failed (${res.status})`);
  return data;
}

function status(text, kind = '') {
  const el = $('streams-result');
  el.textContent = text;
  el.className = `result ${kind}`.trim();
}

const fmt = (t) => `${Number(t).toFixed(1)} s`;

/** one line of the event list; newest first */
function addEvent(kind, d) {
  const li = document.createElement('li');
  li.className = `ev ev-${kind}`;
  const text = document.createElement('span');
  const who = d.name ?? d.strangerId ?? d.identity ?? '';
  switch (kind) {
    case 'track_started': text.textContent = `${fmt(d.time)}  track #${d.trackId} started`; break;
    case 'identified': text.textContent = `${fmt(d.time)}  track #${d.trackId}: ${d.name} (${Math.round(100 * d.confidence)}%, ${d.votes}/${d.frames} frames${d.liveness?.live ? ', live' : ''}${d.spoof && !d.spoof.isReal ? ', spoof?' : ''})`; break;
    case 'stranger': text.textContent = `${fmt(d.time)}  track #${d.trackId}: ${d.strangerId}`; break;
    case 'spoof_suspected': text.textContent = `${fmt(d.time)}  track #${d.trackId}: spoof suspected (live score ${d.spoof.score.toFixed(2)})`; break;
    case 'track_ended': text.textContent = `${fmt(d.time)}  track #${d.trackId} ended${who ? ` (${who})` : ''}: seen ${fmt(d.firstSeen)} to ${fmt(d.lastSeen)}, ${d.frames} frames`; break;
    case 'state': text.textContent = `stream ${d.state}${d.detail?.reason ? `: ${d.detail.reason}` : ''}`; break;
    case 'end': text.textContent = `stream ${d.state}${d.error ? `: ${d.error.message}` : ''}`; break;
    default: return;
  }
  if (kind === 'stranger' && d.thumbnail) {
    const img = document.createElement('img');
    img.src = d.thumbnail;
    img.alt = d.strangerId;
    li.append(img);
  }
  li.append(text);
  $('streams-events').prepend(li);
  while ($('streams-events').children.length > 300) $('streams-events').lastChild.remove();
}

function figures(d) {
  $('streams-figures').textContent = `${d.fps.toFixed(1)} fps, frame ${d.frames}, ${d.activeTracks} track${d.activeTracks === 1 ? '' : 's'}, people seen ${d.people}${d.strangers ? ` + ${d.strangers} stranger${d.strangers === 1 ? '' : 's'}` : ''}`;
}

/** reads text/event-stream blocks from a fetch response */
async function follow(id) {
  following?.abort.abort();
  const abort = new AbortController();
  following = { id, abort };
  $('streams-events').replaceChildren();
  $('streams-stop').disabled = false;
  try {
    const res = await fetch(`/v1/streams/${encodeURIComponent(id)}/events`, { headers: headers(), signal: abort.signal });
    if (!res.ok) throw new Error(`events: ${res.status}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const fields = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const i = line.indexOf(':');
          fields[line.slice(0, i)] = line.slice(i + 2);
        }
        if (!fields.event) continue;
        const data = JSON.parse(fields.data);
        if (fields.event === 'figures') figures(data);
        else addEvent(fields.event, data);
        if (fields.event === 'end') {
          if (data.figures) figures(data.figures);
          $('streams-stop').disabled = true;
        }
      }
    }
  } catch (e) {
    if (e.name !== 'AbortError') status(`Lost the event stream: ${e.message}`, 'error');
  }
}

async function start(e) {
  e.preventDefault();
  const source = $('streams-source').value.trim();
  if (!source) return;
  const body = { source, detectEvery: Number($('streams-every').value) || 3, realtime: $('streams-realtime').checked };
  status('Opening the source…', 'busy');
  try {
    const s = await call('POST', '/v1/streams', body);
    status(`Watching ${s.source} (${s.info.width}x${s.info.height}${s.info.fps ? `, ${s.info.fps.toFixed(1)} fps` : ''}) as stream ${s.id}`, 'ok');
    void follow(s.id);
  } catch (err) {
    status(err.message, 'error');
  }
}

async function stop() {
  if (!following) return;
  $('streams-stop').disabled = true;
  try {
    await call('DELETE', `/v1/streams/${encodeURIComponent(following.id)}`);
    status(`Stopped stream ${following.id}`);
  } catch (err) {
    status(err.message, 'error');
  }
}

/** on showing the view: follow a stream that is already running */
export async function showStreams() {
  if (following) return;
  try {
    const { streams } = await call('GET', '/v1/streams');
    const live = streams.find((s) => !['ended', 'failed', 'stopped'].includes(s.state));
    if (live) {
      status(`Following stream ${live.id} (${live.source})`);
      void follow(live.id);
    }
  } catch (err) {
    status(err.message, 'error');
  }
}

export function initStreams() {
  $('streams-form').addEventListener('submit', start);
  $('streams-stop').addEventListener('click', stop);
}
