// The Strangers view: unknown faces kept under stable ids by the streams (and `facekit watch --db`),
// their sightings with the best face of each, naming a stranger (it becomes a person with all
// its sightings), and "not this person" on a sighting. Talks to /v1/strangers and /v1/sightings.
import { authHeaders, callJson as call } from './api.js';

const $ = (id) => document.getElementById(id);

function status(text, kind = '') {
  const el = $('strangers-result');
  el.textContent = text;
  el.className = `result ${kind}`.trim();
}

/** a sighting's face, fetched with the API key (an <img src> could not send it) */
async function crop(id) {
  const img = document.createElement('img');
  img.className = 'sighting-crop';
  img.alt = 'best face of the sighting';
  const res = await fetch(`/v1/sightings/${encodeURIComponent(id)}/crop`, { headers: authHeaders() });
  if (res.ok) img.src = URL.createObjectURL(await res.blob());
  return img;
}

async function showSightings(query, title) {
  const list = $('sightings-list');
  list.textContent = '';
  $('sightings-title').textContent = title;
  const { sightings } = await call('GET', `/v1/sightings?${new URLSearchParams(query)}`);
  if (sightings.length === 0) list.textContent = 'No sightings.';
  for (const s of sightings) {
    const li = document.createElement('li');
    li.className = 'sighting';
    li.append(await crop(s.id));
    const text = document.createElement('span');
    text.textContent = `${s.startedAt.replace('T', ' ').slice(0, 19)}  ${s.name ?? s.strangerId}  ${s.source} ${s.startTime.toFixed(1)}–${s.endTime.toFixed(1)} s`;
    li.append(text);
    if (s.personId) {
      const not = document.createElement('button');
      not.type = 'button';
      not.textContent = `Not ${s.name}`;
      not.addEventListener('click', async () => {
        try {
          await call('POST', `/v1/sightings/${encodeURIComponent(s.id)}/not`, {});
          status(`Noted: that sighting is not ${s.name}`, 'ok');
          li.remove();
        } catch (err) {
          status(err.message, 'error');
        }
      });
      li.append(not);
    }
    list.append(li);
  }
}

export async function showStrangers() {
  const list = $('strangers-list');
  list.textContent = '';
  try {
    const { strangers } = await call('GET', '/v1/strangers');
    status(strangers.length ? `${strangers.length} strangers` : 'No strangers yet: watch a stream with a gallery');
    for (const s of strangers) {
      const li = document.createElement('li');
      const open = document.createElement('button');
      open.type = 'button';
      open.textContent = `${s.id} (${s.sightings} sightings)`;
      open.addEventListener('click', () => showSightings({ stranger: s.id }, `Sightings of ${s.id}`).catch((err) => status(err.message, 'error')));
      const form = document.createElement('form');
      form.className = 'inline';
      const name = document.createElement('input');
      name.placeholder = 'Name';
      name.setAttribute('aria-label', `name for ${s.id}`);
      const go = document.createElement('button');
      go.textContent = 'Name';
      form.append(name, go);
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        if (!name.value.trim()) return;
        try {
          const r = await call('POST', `/v1/strangers/${encodeURIComponent(s.id)}/name`, { name: name.value.trim() });
          status(`${s.id} is now ${r.person.name}: ${r.sightings} sightings, ${r.faces} faces enrolled`, 'ok');
          await showStrangers();
          await showSightings({ person: r.person.id }, `Sightings of ${r.person.name}`);
        } catch (err) {
          status(err.message, 'error');
        }
      });
      li.append(open, form);
      list.append(li);
    }
  } catch (err) {
    status(err.message, 'error');
  }
}

export function initStrangers() {
  $('sightings-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const person = $('sightings-person').value.trim();
    if (person) showSightings({ person }, `Sightings of ${person}`).catch((err) => status(err.message, 'error'));
  });
}
