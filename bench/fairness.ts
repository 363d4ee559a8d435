/**
 * Demographic differentials of the default recognizer (fr_feature, fr_detect, cosine) at the
 * deployed threshold (the shipped calibration, FAR 1e-3 on celebrity-aligned pairs), reported by
 * the library's groupReport as `facekit eval verify --group-by` does.
 *
 * - False match rate per gender, race and age band on UTKFace (../shared/data/utkface): labels
 *   from the file names `<age>_<gender>_<race>_...`; every one of its 2,000 faces is taken as a
 *   different person (UTKFace has no identity labels; a repeated person would show as a false
 *   match), and every pair within a group is an impostor pair. Cross-group pairs are reported apart.
 * - False non-match rate per gender on the identity-labelled sets: every genuine pair of each
 *   identity, and FMR on every within-gender impostor pair. Gender per identity: celebrity-aligned
 *   and sitcom-cast by name (public figures and characters, listed below); orl and yale have no
 *   labels, so each subject gets the majority vote of the default gender model
 *   (faceapi-age-gender) over their photos, with the vote's margin recorded.
 *
 * Usage: nice -n 5 npx tsx bench/fairness.ts            Writes bench/results/fairness.json.
 */
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dataHome = mkdtempSync(join(tmpdir(), 'facekit-bench-fairness-'));
process.env.FACEKIT_DATA_DIR = dataHome; // the shipped calibration, not a fitted one on this machine

const { analyzeFace } = await import('../src/analyze/index.js');
const { getCalibration } = await import('../src/compare/index.js');
const { embedForEval } = await import('../src/eval/run.js');
const { bandsOf, formatGroupReport, groupReport, groupsFromPattern, listDataset, renameGroups } = await import('../src/eval/index.js');
const { loadAndFindFaces } = await import('../src/pipeline/index.js');
type ScoredPair = import('../src/eval/index.js').ScoredPair;
type GroupReport = import('../src/eval/index.js').GroupReport;

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = process.env.FACEKIT_DATA ?? (existsSync(join(here, '../../shared/data')) ? join(here, '../../shared/data') : '/work/shared/data');
const model = 'fr_feature';
const threshold = getCalibration(model, 'cosine').threshold;
const AGE_BANDS = [18, 30, 45, 60];
const UTK = '^(?<age>\\d+)_(?<gender>\\d)_(?<race>\\d)_';

/** by name: public figures (celebrity-aligned) and the sitcom's characters */
const NAMED: Record<string, Record<string, 'male' | 'female'>> = {
  'celebrity-aligned': {
    barack_obama: 'male', drew_barrymore: 'female', halle_berry: 'female', hugh_laurie: 'male', jennifer_aniston: 'female', jessica_alba: 'female',
    keanu_reeves: 'male', leonardo_dicaprio: 'male', mark_ruffalo: 'male', robert_downey_jr: 'male', tina_fey: 'female', victoria_beckham: 'female',
  },
  'sitcom-cast/gallery': { amy: 'female', bernadette: 'female', howard: 'male', leonard: 'male', penny: 'female', raj: 'male', sheldon: 'male', stuart: 'male' },
};

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(3)}%`);
const out: Record<string, unknown> = {
  model, detector: 'fr_detect', metric: 'cosine', threshold, thresholdSource: 'shipped calibration (FAR 1e-3 on celebrity-aligned pairs)',
  command: 'nice -n 5 npx tsx bench/fairness.ts',
  loadAverageAtStart: readFileSync('/proc/loadavg', 'utf8').trim(),
};

// ---- UTKFace: FMR within gender, race, age band --------------------------------------------
const utkDir = join(dataDir, 'utkface');
if (existsSync(utkDir)) {
  const { readdirSync } = await import('node:fs');
  const files = readdirSync(utkDir).filter((f) => /\.jpe?g$/i.test(f)).sort();
  const { embeddings } = await embedForEval(files.map((f) => join(utkDir, f)), { model });
  const faces = files.map((f) => ({ image: f, e: embeddings.get(join(utkDir, f)) ?? null }));
  const withFace = faces.filter((f) => f.e !== null);
  // every pair once; cosine distance of unit embeddings
  const pairs: ScoredPair[] = [];
  for (let i = 0; i < withFace.length; i++) {
    for (let j = i + 1; j < withFace.length; j++) pairs.push({ img1: withFace[i].image, img2: withFace[j].image, same: false, distance: 1 - dot(withFace[i].e!, withFace[j].e!) });
  }
  const fields = {
    gender: renameGroups(groupsFromPattern(UTK, 'gender'), '0=male,1=female'),
    race: renameGroups(groupsFromPattern(UTK, 'race'), '0=White,1=Black,2=Asian,3=Indian,4=Others'),
    age: bandsOf(groupsFromPattern(UTK, 'age'), AGE_BANDS),
  };
  // 864 of the 2,000 faces are under 18 (many infants), whose impostor pairs dominate every
  // group's FMR: the same fields over adults only
  const ageOf = groupsFromPattern(UTK, 'age');
  const adult = (f: (image: string) => string | undefined) => (image: string) => (Number(ageOf(image)) >= 18 ? f(image) : undefined);
  Object.assign(fields, { 'gender, 18+': adult(fields.gender), 'race, 18+': adult(fields.race) });
  const reports: Record<string, GroupReport> = {};
  for (const [field, groupOf] of Object.entries(fields)) {
    reports[field] = groupReport(pairs, groupOf, { field, threshold });
    console.log(`utkface ${formatGroupReport(reports[field])}`);
  }
  const everyone = pairs.filter((p) => p.distance! <= threshold).length;
  console.log(`utkface all ${pairs.length} pairs: FMR ${pct(everyone / pairs.length)} (${everyone}); ${files.length - withFace.length} images without a face`);
  out.utkface = { images: files.length, noFace: files.length - withFace.length, pairs: pairs.length, fmrAllPairs: everyone / pairs.length, falseMatchesAllPairs: everyone, ageBands: AGE_BANDS, byField: reports };
}

// ---- identity-labelled sets: FNMR (and FMR) per gender -------------------------------------
async function genderVote(root: string, images: string[]): Promise<{ gender: 'male' | 'female'; votes: { male: number; female: number } }> {
  const votes = { male: 0, female: 0 };
  for (const rel of images) {
    const { image, faces } = await loadAndFindFaces(join(root, rel), {});
    if (faces.length === 0) continue;
    const face = faces.reduce((a, b) => (b.box.w * b.box.h > a.box.w * a.box.h ? b : a));
    const g = (await analyzeFace(image, face, { actions: ['gender'] })).gender?.value;
    if (g === 'male' || g === 'female') votes[g]++;
  }
  return { gender: votes.female > votes.male ? 'female' : 'male', votes };
}

const labelled: Record<string, unknown>[] = [];
for (const set of ['celebrity-aligned', 'orl', 'yale', 'sitcom-cast/gallery']) {
  const root = join(dataDir, set);
  if (!existsSync(root)) {
    console.log(`skipped ${set}: ${root} not present`);
    continue;
  }
  const ds = listDataset(root);
  const gender = new Map<string, string>();
  const votes: Record<string, { male: number; female: number }> = {};
  for (const id of ds.identities) {
    if (NAMED[set]) gender.set(id.name, NAMED[set][id.name]);
    else {
      const v = await genderVote(ds.root, id.images);
      gender.set(id.name, v.gender);
      votes[id.name] = v.votes;
    }
  }
  const paths = ds.identities.flatMap((i) => i.images.map((p) => join(ds.root, p)));
  const { embeddings } = await embedForEval(paths, { model });
  const items = ds.identities.flatMap((i) => i.images.map((p) => ({ rel: p, identity: i.name, e: embeddings.get(join(ds.root, p)) ?? null })));
  const pairs: ScoredPair[] = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i], b = items[j];
      const same = a.identity === b.identity;
      // impostors only within a gender (cross-gender ones would be left out anyway)
      if (!same && gender.get(a.identity) !== gender.get(b.identity)) continue;
      pairs.push({ img1: a.rel, img2: b.rel, same, distance: a.e && b.e ? 1 - dot(a.e, b.e) : null });
    }
  }
  const report = groupReport(pairs, (image) => gender.get(image.split('/')[0]), { field: 'gender', threshold });
  console.log(`${set} ${formatGroupReport(report)}`);
  const count = (g: string) => [...gender.values()].filter((x) => x === g).length;
  labelled.push({
    dataset: set, identities: ds.identities.length, female: count('female'), male: count('male'),
    labelledBy: NAMED[set] ? 'name (public figures / characters)' : 'majority vote of faceapi-age-gender over each subject\'s photos',
    ...(NAMED[set] ? {} : { votes }),
    report,
  });
}
out.identityLabelled = labelled;

rmSync(dataHome, { recursive: true, force: true });
out.loadAverageAtEnd = readFileSync('/proc/loadavg', 'utf8').trim();
out.date = new Date().toISOString();
const file = join(here, 'results/fairness.json');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
console.log(`written ${file} (${basename(file)})`);
