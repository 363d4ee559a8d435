// The facekit web page: four views switched by the URL hash, each talking to the /v1 API.
import { api, apiKey, collection, setApiKey, setCollection } from './api.js';
import { drawFaces, drawPhoto, fileToImage } from './draw.js';
import './clusters.js';
import { initStreams, showStreams } from './streams.js';
import { initLiveness, showLiveness, stopLiveness } from './liveness.js';
import { initStrangers, showStrangers } from './strangers.js';

const $ = (id) => document.getElementById(id);
const PAGES = ['enroll', 'identify', 'verify', 'liveness', 'people', 'clusters', 'streams', 'strangers'];

function show(el, text, kind = '') {
  el.textContent = text;
  el.className = `result ${kind}`.trim();
}

function errorText(e) {
  return e?.code ? `${e.message} (${e.code})` : String(e?.message ?? e);
}

// ---- navigation --------------------------------------------------------------------------------

function route() {
  const page = PAGES.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'enroll';
  for (const p of PAGES) $(`page-${p}`).hidden = p !== page;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.page === page);
  if (page === 'people') loadPeople();
  if (page === 'streams') showStreams();
  if (page === 'strangers') showStrangers();
  if (page !== 'enroll') stopCamera();
  if (page === 'liveness') showLiveness();
  else stopLiveness();
}

// ---- enroll ------------------------------------------------------------------------------------

/** Photos taken with the camera, as Blobs, alongside the chosen files. */
let shots = [];
let stream = null;

function renderThumbs() {
  const box = $('enroll-thumbs');
  box.replaceChildren();
  const all = [...$('enroll-files').files, ...shots];
  for (const blob of all) {
    const img = document.createElement('img');
    img.src = URL.createObjectURL(blob);
    img.alt = blob.name ?? 'camera photo';
    img.onload = () => URL.revokeObjectURL(img.src);
    box.append(img);
  }
}

async function startCamera() {
  if (!navigator.mediaDevices?.getUserMedia) {
    show($('enroll-result'), 'This browser cannot use a camera here (it needs https or localhost).', 'error');
    return;
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user' }, audio: false });
  } catch (e) {
    show($('enroll-result'), `Camera unavailable: ${e.message}`, 'error');
    return;
  }
  const video = $('camera-video');
  video.srcObject = stream;
  await video.play();
  video.hidden = false;
  $('camera-shoot').hidden = false;
  $('camera-stop').hidden = false;
  $('camera-start').hidden = true;
}

function stopCamera() {
  if (!stream) return;
  for (const t of stream.getTracks()) t.stop();
  stream = null;
  $('camera-video').hidden = true;
  $('camera-shoot').hidden = true;
  $('camera-stop').hidden = true;
  $('camera-start').hidden = false;
}

function takePhoto() {
  const video = $('camera-video');
  const c = document.createElement('canvas');
  c.width = video.videoWidth;
  c.height = video.videoHeight;
  c.getContext('2d').drawImage(video, 0, 0);
  c.toBlob((blob) => {
    if (!blob) return;
    shots.push(new File([blob], `camera-${shots.length + 1}.jpg`, { type: 'image/jpeg' }));
    renderThumbs();
  }, 'image/jpeg', 0.92);
}

async function enroll(ev) {
  ev.preventDefault();
  const name = $('enroll-name').value.trim();
  const images = [...$('enroll-files').files, ...shots];
  const out = $('enroll-result');
  if (!name) return show(out, 'Give the person a name.', 'error');
  if (images.length === 0) return show(out, 'Add at least one photo (a file or the camera).', 'error');
  $('enroll-submit').disabled = true;
  show(out, `Enrolling ${name} from ${images.length} photo(s)...`, 'busy');
  try {
    const p = await api.createPerson(name, images, $('enroll-force').checked);
    // a name already in the gallery gets the photos (the server's one enrollment rule)
    show(out, p.created ? `Enrolled ${p.name} with ${p.faceCount} face(s).` : `Added to ${p.name}: now ${p.faceCount} face(s).`, 'ok');
    $('enroll-form').reset();
    shots = [];
    renderThumbs();
  } catch (e) {
    const hint = e.code === 'LOW_QUALITY' ? ' Use a sharper, frontal, well-lit photo, or tick "Enroll even photos below the quality bar".' : '';
    show(out, `Could not enroll: ${errorText(e)}${hint}`, 'error');
  } finally {
    $('enroll-submit').disabled = false;
  }
}

// ---- identify ----------------------------------------------------------------------------------

async function identify() {
  const file = $('identify-file').files[0];
  const out = $('identify-result');
  const list = $('identify-list');
  const canvas = $('identify-canvas');
  list.replaceChildren();
  show(out, '');
  if (!file) {
    canvas.removeAttribute('width');
    return;
  }
  let img;
  try {
    img = await fileToImage(file);
  } catch (e) {
    return show(out, errorText(e), 'error');
  }
  drawPhoto(canvas, img);
  show(out, 'Looking for faces...', 'busy');
  try {
    const r = await api.identify(file);
    // each face: { box, score, landmarks5, match: { name, confidence, ... } | null, candidates }
    const labelled = r.faces.map((f) => ({ box: f.box, label: f.match ? f.match.name : f.undecided ? 'undecided' : 'unknown', known: Boolean(f.match) }));
    drawFaces(canvas, img, labelled);
    const known = labelled.filter((f) => f.known).length;
    show(out, `${r.faces.length} face(s), ${known} recognised.`, r.faces.length ? 'ok' : '');
    r.faces.forEach(({ match, undecided, quality }, i) => {
      const li = document.createElement('li');
      li.textContent = match
        ? `Face ${i + 1}: ${match.name} (confidence ${(100 * match.confidence).toFixed(0)}%, distance ${match.distance.toFixed(3)})`
        : undecided ? `Face ${i + 1}: undecided, ${undecided.reason}` : `Face ${i + 1}: unknown`;
      if (quality && !undecided) li.textContent += `; ${qualityText(quality)}`;
      list.append(li);
    });
  } catch (e) {
    show(out, `Could not identify: ${errorText(e)}`, 'error');
  }
}

// ---- verify ------------------------------------------------------------------------------------

const verifyImages = [null, null];

async function pickVerify(i) {
  const file = $(`verify-file${i + 1}`).files[0];
  verifyImages[i] = null;
  $('verify-result').replaceChildren();
  if (file) {
    try {
      verifyImages[i] = { file, img: await fileToImage(file) };
      drawPhoto($(`verify-canvas${i + 1}`), verifyImages[i].img);
    } catch (e) {
      show($('verify-result'), errorText(e), 'error');
    }
  }
  $('verify-submit').disabled = !(verifyImages[0] && verifyImages[1]);
}

/** A face's quality as the page shows it: "quality 0.83" or "quality 0.21 (blurred, too dark)". */
function qualityText(q) {
  if (!q) return 'quality not measured';
  return `quality ${q.score.toFixed(2)}${q.reasons.length ? ` (${q.reasons.join(', ')})` : ''}`;
}

function fact(label, value) {
  const div = document.createElement('div');
  const dt = document.createElement('dt');
  dt.textContent = label;
  const dd = document.createElement('dd');
  dd.textContent = value;
  div.append(dt, dd);
  return div;
}

async function verify() {
  const out = $('verify-result');
  const [a, b] = verifyImages;
  if (!a || !b) return;
  $('verify-submit').disabled = true;
  show(out, 'Comparing...', 'busy');
  try {
    const r = await api.verify(a.file, b.file, $('verify-model').value);
    drawFaces($('verify-canvas1'), a.img, [{ box: r.faces[0].box, label: '', known: r.verified }]);
    drawFaces($('verify-canvas2'), b.img, [{ box: r.faces[1].box, label: '', known: r.verified }]);
    out.className = `result ${r.verified === null ? 'error' : r.verified ? 'ok' : 'no'}`;
    const verdict = document.createElement('p');
    verdict.id = 'verify-verdict';
    verdict.className = 'verdict';
    // below the minimum quality the server decides nothing, and says why
    verdict.textContent = r.verified === null ? `Undecided: ${r.undecided.reason}` : r.verified ? 'Same person' : 'Different people';
    const dl = document.createElement('dl');
    dl.append(
      fact('Distance', r.distance.toFixed(4)),
      fact('Threshold', r.threshold.toFixed(4)),
      fact('Confidence', `${(r.confidence * 100).toFixed(1)}%`),
      ...r.faces.map((f, i) => fact(`Face ${i + 1}`, qualityText(f.quality))),
      fact('Model', `${r.model} (${r.metric})`),
    );
    out.replaceChildren(verdict, dl);
  } catch (e) {
    show(out, `Could not compare: ${errorText(e)}`, 'error');
  } finally {
    $('verify-submit').disabled = false;
  }
}

// ---- people ------------------------------------------------------------------------------------

async function loadPeople() {
  const list = $('people-list');
  const summary = $('people-summary');
  try {
    const page = await api.listPeople(0, 1000);
    summary.textContent = `${page.total} people` + (page.totalFaces === undefined ? '' : `, ${page.totalFaces} faces`);
    list.replaceChildren(...page.people.map(personRow));
  } catch (e) {
    summary.textContent = `Could not load people: ${errorText(e)}`;
  }
}

function personRow(p) {
  const li = document.createElement('li');
  li.dataset.personId = p.id;
  const info = document.createElement('div');
  const name = document.createElement('strong');
  name.textContent = p.name;
  const meta = document.createElement('span');
  meta.className = 'muted';
  meta.textContent = `${p.faceCount ?? '?'} face(s) · since ${new Date(p.createdAt).toLocaleDateString()}`;
  const faces = document.createElement('button');
  faces.type = 'button';
  faces.className = 'link';
  faces.textContent = 'Faces';
  faces.setAttribute('aria-label', `Faces of ${p.name}`);
  faces.setAttribute('aria-expanded', 'false');
  faces.onclick = () => toggleFaces(li, p, faces);
  info.append(name, meta, faces);
  const del = document.createElement('button');
  del.type = 'button';
  del.className = 'danger';
  del.textContent = 'Delete';
  del.setAttribute('aria-label', `Delete ${p.name}`);
  del.onclick = async () => {
    if (!confirm(`Delete ${p.name} and all their faces?`)) return;
    del.disabled = true;
    try {
      await api.deletePerson(p.id);
      await loadPeople();
    } catch (e) {
      del.disabled = false;
      $('people-summary').textContent = `Could not delete ${p.name}: ${errorText(e)}`;
    }
  };
  li.append(info, del);
  return li;
}

/** The person's enrolled faces under their row, each removable. */
async function toggleFaces(li, p, button) {
  const open = li.querySelector('ul.faces');
  if (open) {
    open.remove();
    button.setAttribute('aria-expanded', 'false');
    return;
  }
  button.setAttribute('aria-expanded', 'true');
  const ul = document.createElement('ul');
  ul.className = 'faces';
  li.append(ul);
  try {
    const full = await api.getPerson(p.id);
    if (full.faces.length === 0) ul.innerHTML = '<li class="muted">no faces enrolled</li>';
    for (const f of full.faces) {
      const item = document.createElement('li');
      const text = document.createElement('span');
      const size = f.box ? `${Math.round(f.box.w)}x${Math.round(f.box.h)} px face, ` : '';
      text.textContent = `${size}${f.model}, ${new Date(f.createdAt).toLocaleString()}`;
      const rm = document.createElement('button');
      rm.type = 'button';
      rm.className = 'danger small';
      rm.textContent = 'Remove';
      rm.onclick = async () => {
        rm.disabled = true;
        try {
          await api.deleteFace(p.id, f.id);
          await loadPeople();
        } catch (e) {
          rm.disabled = false;
          text.textContent = `Could not remove: ${errorText(e)}`;
        }
      };
      item.append(text, rm);
      ul.append(item);
    }
  } catch (e) {
    ul.textContent = `Could not load faces: ${errorText(e)}`;
  }
}

// ---- collections -------------------------------------------------------------------------------

/** The collection picker: the collections this key may use; enroll, identify, verify and people act on the chosen one. */
async function loadCollections() {
  const select = $('collection');
  let names = ['default'];
  try {
    names = (await api.listCollections()).collections.map((c) => c.name);
  } catch {
    // an older server, or a key that may not list: the default collection only
  }
  const chosen = names.includes(collection()) ? collection() : names[0] ?? 'default';
  select.replaceChildren(...names.map((n) => Object.assign(document.createElement('option'), { value: n, textContent: n })));
  select.value = chosen;
  if (chosen !== collection()) setCollection(chosen);
}

// ---- wiring ------------------------------------------------------------------------------------

$('enroll-form').addEventListener('submit', enroll);
$('enroll-files').addEventListener('change', renderThumbs);
$('camera-start').addEventListener('click', startCamera);
$('camera-stop').addEventListener('click', stopCamera);
$('camera-shoot').addEventListener('click', takePhoto);
$('identify-file').addEventListener('change', identify);
$('verify-file1').addEventListener('change', () => pickVerify(0));
$('verify-file2').addEventListener('change', () => pickVerify(1));
$('verify-submit').addEventListener('click', verify);
$('api-key').value = apiKey();
$('api-key').addEventListener('change', (e) => {
  setApiKey(e.target.value.trim());
  loadCollections();
});
$('collection').addEventListener('change', (e) => {
  setCollection(e.target.value);
  route(); // the view shows the chosen collection's people
});
loadCollections();
initStreams();
initStrangers();
initLiveness();
window.addEventListener('hashchange', route);
route();
