/**
 * The demographic report: exact FMR / FNMR per group and worst-to-best ratios on a hand-made score
 * list, label parsing from a CSV and from file names (with clear errors for bad input), bands, and
 * impostor sampling within groups.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import {
  bandsOf, evaluateVerification, formatGroupReport, groupLabels, groupReport, groupsFromPattern, readGroupCsv, renameGroups, samplePairs,
  type Dataset, type ScoredPair,
} from '../../src/eval/index.ts';
import { writeVerificationReport } from '../../src/eval/report.ts';
import { demoDataset } from './demo-dataset.ts';

const isBad = (re: RegExp) => (e: any) => e.code === 'BAD_ARGUMENT' && re.test(e.message);

/** f/*.jpg are group F, m/*.jpg group M; u/*.jpg unlabelled */
const groupOf = (image: string) => ({ f: 'F', m: 'M' } as Record<string, string>)[image.split('/')[0]];
const g = (group: string, same: boolean, distance: number | null, k: number): ScoredPair => ({ img1: `${group}/a${k}.jpg`, img2: `${group}/b${k}.jpg`, same, distance });

function handMade(): ScoredPair[] {
  let k = 0;
  return [
    // F: genuine 2 of 4 rejected (FNMR 0.5); impostors 2 of 5 accepted (FMR 0.4)
    ...[0.1, 0.2, 0.6, 0.7].map((d) => g('f', true, d, k++)),
    ...[0.4, 0.3, 0.9, 0.95, 0.8].map((d) => g('f', false, d, k++)),
    // M: genuine 1 of 4 rejected (FNMR 0.25); impostors 1 of 5 accepted, at exactly the threshold (FMR 0.2)
    ...[0.1, 0.2, 0.3, 0.9].map((d) => g('m', true, d, k++)),
    ...[0.5, 0.6, 0.7, 0.8, 0.9].map((d) => g('m', false, d, k++)),
    // across groups, unlabelled, no face: in no rate
    { img1: 'f/x.jpg', img2: 'm/y.jpg', same: false, distance: 0.1 },
    { img1: 'f/x.jpg', img2: 'u/z.jpg', same: false, distance: 0.1 },
    g('f', true, null, k++),
  ];
}

test('group report: exact FMR and FNMR per group, worst/best ratios, pairs left out counted', () => {
  const r = groupReport(handMade(), groupOf, { field: 'sex', threshold: 0.5 });
  assert.deepEqual(r.groups.map((x) => [x.group, x.fmr, x.fnmr, x.falseMatches, x.impostor, x.falseNonMatches, x.genuine, x.noFace]), [
    ['F', 0.4, 0.5, 2, 5, 2, 4, 1],
    ['M', 0.2, 0.25, 1, 5, 1, 4, 0],
  ]);
  assert.deepEqual(r.fmr, { worst: 'F', best: 'M', worstRate: 0.4, bestRate: 0.2, ratio: 2 });
  assert.deepEqual(r.fnmr, { worst: 'F', best: 'M', worstRate: 0.5, bestRate: 0.25, ratio: 2 });
  assert.deepEqual(r.crossGroupImpostors, { pairs: 1, falseMatches: 1 });
  assert.equal(r.unlabelledPairs, 1);
  const text = formatGroupReport(r);
  assert.match(text, /F\s+FMR\s+40\.00% \(2\/5\)\s+FNMR\s+50\.00% \(2\/4\)/);
  assert.match(text, /worst\/best FMR: 2\.00 \(F \/ M\)/);
  // a stricter threshold: M's impostor at 0.5 is no longer a match, so M's FMR is 0 and the ratio unbounded
  const strict = groupReport(handMade(), groupOf, { field: 'sex', threshold: 0.45 });
  assert.equal(strict.groups[1].fmr, 0);
  assert.equal(strict.fmr!.ratio, null);
  assert.match(formatGroupReport(strict), /unbounded \(M has none\)/);
  assert.match(formatGroupReport(groupReport(handMade(), groupOf, { field: 'sex', threshold: 0.01 })), /worst\/best FMR: none in any group/);
  assert.throws(() => groupReport(handMade(), () => undefined, { field: 'sex', threshold: 0.5 }), isBad(/no pair has both images labelled/));
});

test('group labels from a CSV: by image or by identity; bad files are clear errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-groups-'));
  try {
    const put = (name: string, body: string) => { writeFileSync(join(dir, name), body); return join(dir, name); };
    const byImage = readGroupCsv(put('a.csv', 'image,gender,note\nann/1.jpg,female,"x, y"\n2.jpg,male,\n# a comment\n3.jpg,,unknown\n'), 'gender');
    assert.equal(byImage('ann/1.jpg'), 'female');
    assert.equal(byImage('bob/2.jpg'), 'male', 'a bare file name labels that file in any folder');
    assert.equal(byImage('x/3.jpg'), undefined, 'an empty value leaves it unlabelled');
    const byId = readGroupCsv(put('b.csv', 'Identity,Gender\nann,female\nbob,male\n'), 'gender');
    assert.equal(byId('ann/7.jpg'), 'female');
    assert.equal(byId('carl/1.jpg'), undefined);
    assert.throws(() => readGroupCsv(join(dir, 'none.csv'), 'gender'), (e: any) => e.code === 'NOT_FOUND' && /none\.csv/.test(e.message));
    assert.throws(() => readGroupCsv(put('c.csv', 'name,gender\nann,female\n'), 'gender'), isBad(/c\.csv:1: the header needs a column image, file, path, identity, person/));
    assert.throws(() => readGroupCsv(put('d.csv', 'image,race\n1.jpg,0\n'), 'gender'), isBad(/no column 'gender' to group by \(columns: image, race\)/));
    assert.throws(() => readGroupCsv(put('e.csv', 'image,gender\n1.jpg,female\n2.jpg\n'), 'gender'), isBad(/e\.csv:3: expected 2 columns/));
    assert.throws(() => readGroupCsv(put('f.csv', 'image,gender\n1.jpg,female\n1.jpg,male\n'), 'gender'), isBad(/f\.csv:3: 1\.jpg is labelled both 'female' and 'male'/));
    assert.throws(() => readGroupCsv(put('g.csv', ''), 'gender'), isBad(/empty/));
    // default places: DIR/labels.csv, else DIR.csv beside the folder
    mkdirSync(join(dir, 'set'));
    assert.throws(() => groupLabels({ field: 'gender' }, join(dir, 'set')), isBad(/set[\\/]labels\.csv, .*set\.csv exists; give --group-labels/));
    put('set.csv', 'identity,gender\nann,female\n');
    assert.equal(groupLabels({ field: 'gender' }, join(dir, 'set'))('ann/1.jpg'), 'female');
    put('set/labels.csv', 'identity,gender\nann,f\n');
    assert.equal(groupLabels({ field: 'gender' }, join(dir, 'set'))('ann/1.jpg'), 'f', 'labels.csv inside the folder first');
    assert.throws(() => groupLabels({ field: 'gender', labels: 'x.csv', pattern: '(?<gender>.)' }), isBad(/not both/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('group labels from file names, bands and names', () => {
  const utk = '^(?<age>\\d+)_(?<gender>\\d)_(?<race>\\d)_';
  const gender = renameGroups(groupsFromPattern(utk, 'gender'), '0=male, 1=female');
  assert.equal(gender('utkface/26_1_2_20170116.jpg.chip.jpg'), 'female');
  assert.equal(gender('34_0_0_2017.jpg'), 'male');
  assert.equal(gender('readme.jpg'), undefined, 'a name the pattern does not match is unlabelled');
  assert.equal(groupsFromPattern(utk, 'race')('x/26_1_3_1.jpg'), '3');
  assert.throws(() => groupsFromPattern('(?<age>\\d+', 'age'), isBad(/not a regular expression/));
  assert.throws(() => groupsFromPattern(utk, 'height'), isBad(/no named group \(\?<height>\.\.\.\)/));
  assert.throws(() => renameGroups(gender, '0:male'), isBad(/label=name/));
  const age = bandsOf(groupsFromPattern(utk, 'age'), [18, 30, 45, 60]);
  assert.deepEqual(['3_0_0_x', '18_0_0_x', '29_0_0_x', '30_1_0_x', '59_1_0_x', '60_0_1_x', '90_1_1_x'].map((n) => age(`${n}.jpg`)), ['<18', '18-29', '18-29', '30-44', '45-59', '60+', '60+']);
  assert.throws(() => bandsOf(() => 'old', [18])('a.jpg'), isBad(/'old' is not a number/));
  assert.throws(() => bandsOf(() => '1', [30, 18]), isBad(/increasing/));
});

test('sampled impostor pairs stay within groups when grouping; the usual sampling is unchanged', () => {
  const ds: Dataset = { root: '/x', identities: ['f1', 'f2', 'f3', 'm1', 'm2', 'm3'].map((name) => ({ name, images: [0, 1, 2, 3].map((k) => `${name}/${k}.jpg`) })) };
  const sex = (image: string) => image[0];
  const grouped = samplePairs(ds, { seed: 3, pairsPerClass: 4, groupOf: sex });
  const impostors = grouped.pairs.filter((p) => !p.same);
  assert.equal(impostors.length, 24);
  assert.ok(impostors.every((p) => sex(p.img1) === sex(p.img2) && p.img1.split('/')[0] !== p.img2.split('/')[0]));
  const plain = samplePairs(ds, { seed: 3, pairsPerClass: 4 });
  assert.ok(plain.pairs.some((p) => !p.same && sex(p.img1) !== sex(p.img2)), 'without groups, impostors cross them');
  assert.deepEqual(samplePairs(ds, { seed: 3, pairsPerClass: 4 }), plain);
});

test('the HTML report shows the group table and its figure', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-groups-report-'));
  try {
    const pairs = handMade();
    const r = evaluateVerification(pairs, { folds: 2, meta: { model: 'm' } });
    const groups = groupReport(pairs, groupOf, { field: 'sex', threshold: 0.5 });
    const { files } = await writeVerificationReport(dir, r, { hardestPairs: 0, groups });
    assert.ok(files.includes('groups.png'));
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    assert.match(html, /<h2>By sex<\/h2>/);
    assert.match(html, /<td>F<\/td><td class="num">40\.00%<\/td><td class="num">2 \/ 5<\/td><td class="num">50\.00%<\/td>/);
    assert.match(html, /Worst \/ best FMR: 2\.00 \(F \/ M\)/);
    const svg = html.slice(html.indexOf('<svg', html.indexOf('FMR and FNMR by sex') - 400));
    assert.equal(XMLValidator.validate(svg.slice(0, svg.indexOf('</svg>') + 6)), true);
    assert.equal((svg.slice(0, svg.indexOf('</svg>')).match(/class="bar"/g) ?? []).length, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The plumbing of eval verify --group-by on a tiny dataset through the real pipeline: labels
 * beside the folder, impostors drawn within groups, rates at the given threshold. Genuine pairs are
 * two copies of one photo (distance 0); impostors are different photos.
 */
test('runVerificationEval with groupBy: labels from DIR.csv, impostors within groups, rates at the threshold', async () => {
  const { runVerificationEval } = await import('../../src/eval/run.ts');
  const root = mkdtempSync(join(tmpdir(), 'facekit-groups-run-'));
  try {
    const ds = demoDataset(join(root, 'ds'));
    writeFileSync(join(root, 'ds.csv'), 'identity,team\np0,a\np1,a\np2,b\np3,b\n');
    const run = (threshold: number) => runVerificationEval({ dataset: ds, pairsPerClass: 1, folds: 2, cacheDir: join(root, 'cache'), groupBy: { field: 'team' }, threshold });
    const strict = (await run(0.05)).summary.groups!;
    assert.deepEqual(strict.groups.map((x) => [x.group, x.genuine, x.falseNonMatches, x.impostor, x.falseMatches]), [['a', 2, 0, 2, 0], ['b', 2, 0, 2, 0]]);
    assert.equal(strict.crossGroupImpostors.pairs, 0, 'every sampled impostor pair is within a group');
    assert.equal(strict.fmr!.ratio, null);
    // cosine distance never exceeds 2: at that threshold every impostor is a false match
    const loose = (await run(2)).summary.groups!;
    assert.deepEqual(loose.groups.map((x) => x.fmr), [1, 1]);
    assert.equal(loose.fmr!.ratio, 1);
    await assert.rejects(runVerificationEval({ dataset: ds, groupBy: { field: 'age' }, cacheDir: join(root, 'cache') }), isBad(/no column 'age'/));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
