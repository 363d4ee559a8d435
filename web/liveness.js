// The Liveness view: the webcam films a short burst while the person follows a prompt (blink,
// turn the head); the server checks the landmark tracks for it and recognises the best frame
// against a chosen person or the whole gallery (POST /v1/liveness).
import { apiKey } from './api.js';

const $ = (id) => document.getElementById(id);

const FRAMES = 24; // ~3 s at 8 fps: enough for a blink (100-400 ms) or a turn and back
const INTERVAL_MS = 125;
const FRAME_WIDTH = 480; // smaller frames upload faster; the face still spans 100+ px

// The prompts speak of the user's own left and right. The frames are the camera's view (not the
// mirrored preview), where the user's left is the image's right, so the server is asked to flip.
const PROMPTS = {
  blink: 'Blink twice',
  turn: 'Turn your head to one side and back',
  'turn-left': 'Turn your head to your left and back',
  'turn-right': 'Turn your head to your right and back',
};

let stream = null;
let busy = false;

function status(text, kind = '') {
  const el = $('liveness-result');
  el.textContent = text;
  el.className = `result ${kind}`.trim();
}

function headers() {
  const key = apiKey();
  return key ? { 'content-type': 'application/json', authorization: `Bearer ${key}` } : { 'content-type': 'application/json' };
}

async function loadPeople() {
  const sel = $('liveness-person');
  const keep = sel.value;
  try {
    const res = await fetch('/v1/people?offset=0&limit=200', { headers: headers() });
    if (!res.ok) return;
    const { people } = await res.json();
    sel.replaceChildren(new Option('anyone in the gallery (identify)', ''), ...people.map((p) => new Option(p.name, p.id)));
    sel.value = keep;
  } catch {
    // the list is a convenience; identify still works without it
  }
}

async function startCamera() {
  if (!navigator.mediaDevices?.getUserMedia) {
    status('This browser cannot use a camera here (it needs https or localhost).', 'error');
    return;
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user', width: { ideal: 640 } }, audio: false });
  } catch (e) {
    status(`Camera unavailable: ${e.message}`, 'error');
    return;
  }
  const video = $('liveness-video');
  video.srcObject = stream;
  await video.play();
  video.hidden = false;
  $('liveness-start').hidden = true;
  $('liveness-check').disabled = false;
  $('liveness-stop').hidden = false;
}

export function stopLiveness() {
  if (!stream) return;
  for (const t of stream.getTracks()) t.stop();
  stream = null;
  $('liveness-video').hidden = true;
  $('liveness-start').hidden = false;
  $('liveness-check').disabled = true;
  $('liveness-stop').hidden = true;
}

function grab(video, canvas) {
  return new Promise((resolve, reject) => {
    canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
    canvas.toBlob((blob) => {
      if (!blob) return reject(new Error('the browser gave no JPEG for a frame'));
      const r = new FileReader();
      r.onload = () => resolve(r.result); // a data URL, which the API takes as is
      r.onerror = () => reject(r.error);
      r.readAsDataURL(blob);
    }, 'image/jpeg', 0.85);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function capture() {
  const video = $('liveness-video');
  const canvas = document.createElement('canvas');
  const scale = Math.min(1, FRAME_WIDTH / video.videoWidth);
  canvas.width = Math.round(video.videoWidth * scale);
  canvas.height = Math.round(video.videoHeight * scale);
  const frames = [];
  const t0 = performance.now();
  for (let i = 0; i < FRAMES; i++) {
    frames.push(await grab(video, canvas));
    await sleep(Math.max(0, t0 + (i + 1) * INTERVAL_MS - performance.now()));
  }
  return frames;
}

function render(r) {
  const c = r.checks;
  const parts = [
    r.live ? 'LIVE: the challenge was followed.' : 'NOT LIVE: the challenge was not seen.',
    `blinks ${c.blink.count}, turns left ${c.turnLeft.count}, right ${c.turnRight.count}; face in ${r.framesWithFace} of ${r.frames} frames.`,
  ];
  if (r.match) {
    parts.push(r.match.verified
      ? `Matches ${r.match.name} (distance ${r.match.distance.toFixed(3)}, threshold ${r.match.threshold.toFixed(3)}).`
      : `Does NOT match ${r.match.name} (distance ${r.match.distance.toFixed(3)} > ${r.match.threshold.toFixed(3)}).`);
  } else {
    parts.push('No one in the gallery matches.');
  }
  const accepted = r.live && r.match?.verified;
  status(parts.join(' '), accepted ? 'ok' : 'error');
  const ears = r.trace.map((t) => (t.ear === null ? '–' : t.ear.toFixed(2))).join(' ');
  $('liveness-trace').textContent = `eye openness per frame: ${ears}`;
}

async function check() {
  if (!stream || busy) return;
  busy = true;
  $('liveness-check').disabled = true;
  try {
    let challenge = $('liveness-challenge').value;
    if (challenge === 'random') challenge = Math.random() < 0.5 ? 'blink' : 'turn';
    $('liveness-prompt').textContent = `${PROMPTS[challenge]} now…`;
    const frames = await capture();
    $('liveness-prompt').textContent = '';
    status(`Checking ${frames.length} frames…`);
    const personId = $('liveness-person').value || undefined;
    const res = await fetch('/v1/liveness', { method: 'POST', headers: headers(), body: JSON.stringify({ frames, challenge, personId, mirrored: true }) });
    const data = await res.json().catch(() => null);
    if (!res.ok) throw new Error(`${data?.error?.message ?? `liveness failed (${res.status})`}${data?.error?.code ? ` (${data.error.code})` : ''}`);
    render(data);
  } catch (e) {
    $('liveness-prompt').textContent = '';
    status(String(e?.message ?? e), 'error');
  } finally {
    busy = false;
    $('liveness-check').disabled = !stream;
  }
}

export function showLiveness() {
  loadPeople();
}

export function initLiveness() {
  $('liveness-start').addEventListener('click', startCamera);
  $('liveness-stop').addEventListener('click', stopLiveness);
  $('liveness-check').addEventListener('click', check);
}
