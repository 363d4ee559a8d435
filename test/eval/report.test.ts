import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { XMLValidator } from 'fast-xml-parser';
import { evaluateVerification, rocCurve, type ScoredPair } from '../../src/eval/index.ts';
import { writeVerificationReport, formatVerification, hardestPairs, writeIdentificationReport, formatIdentification } from '../../src/eval/report.ts';
import { evaluateIdentification, type IdentificationSplit, type EmbeddingMap } from '../../src/eval/index.ts';

const DEMO = 'node_modules/@vladmandic/face-api/demo';

function pairs(): ScoredPair[] {
  const out: ScoredPair[] = [];
  for (let k = 0; k < 40; k++) {
    const a = `sample${(k % 6) + 1}.jpg`, b = `sample${((k + 1) % 6) + 1}.jpg`;
    out.push({ img1: a, img2: b, same: true, distance: 0.2 + (k % 10) / 50 });
    out.push({ img1: a, img2: b, same: false, distance: 0.5 + (k % 10) / 25 });
  }
  out[10].distance = 0.95; // hardest genuine
  out[13].distance = 0.05; // hardest impostor
  out[20].distance = null;
  out[22] = { img1: 'missing.jpg', img2: 'sample1.jpg', same: true, distance: 0.9 };
  return out;
}

test('hardest pairs: largest genuine distances, smallest impostor distances', () => {
  const h = hardestPairs(pairs(), 2);
  assert.deepEqual(h.genuine.map((p) => p.distance), [0.95, 0.9]);
  assert.equal(h.impostor[0].distance, 0.05);
  assert.ok(h.impostor[1].distance! >= 0.5);
});

test('report folder: index.html with inline SVG, PNG figures, thumbnails, result.json', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-report-'));
  try {
    const r = evaluateVerification(pairs(), { meta: { model: 'test-model', metric: 'cosine', dataset: 'demo' } });
    const other = rocCurve({ genuine: [0.1, 0.3, 0.6], impostor: [0.4, 0.5, 0.9] });
    const { index, files } = await writeVerificationReport(dir, r, { hardestPairs: 3, root: DEMO, compareWith: [{ label: 'other', roc: other }] });
    assert.equal(index, join(dir, 'index.html'));
    const html = readFileSync(index, 'utf8');
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    assert.equal(svgs.length, 3);
    for (const s of svgs) assert.equal(XMLValidator.validate(s), true);
    assert.equal((svgs[0].match(/<polyline/g) ?? []).length, 2, 'this run and the comparison curve');
    assert.ok(html.includes('test-model'));
    assert.ok(html.includes(`${(100 * r.accuracyMean).toFixed(2)}%`));
    assert.ok(html.includes('unreadable'), 'the missing image is shown as such');
    for (const f of ['roc.png', 'roc-log.png', 'distances.png']) {
      const m = await sharp(join(dir, f)).metadata();
      assert.equal(m.format, 'png');
      assert.equal(m.width, 640);
    }
    // 3 genuine + 3 impostor pairs, 2 images each, minus the missing one
    const thumbs = readdirSync(join(dir, 'thumbs'));
    assert.equal(thumbs.length, 11);
    const t = await sharp(join(dir, 'thumbs', thumbs[0])).metadata();
    assert.deepEqual([t.width, t.height], [112, 112]);
    for (const f of files) assert.ok(existsSync(join(dir, f)), f);
    assert.ok((html.match(/<img /g) ?? []).length === 11);
    const json = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    assert.equal(json.accuracyMean, r.accuracyMean);
    const text = formatVerification(r);
    assert.ok(/accuracy \(10-fold\)/.test(text) && /no face: 1 genuine/.test(text));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('identification report: figures, failures with the nearest gallery image, summary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-idreport-'));
  try {
    const v = (x: number, y: number) => Float32Array.from([x, y]);
    const split: IdentificationSplit = {
      seed: 0, strangers: ['S'],
      gallery: [{ identity: 'A', image: 'sample1.jpg' }, { identity: 'B', image: 'sample2.jpg' }],
      probes: [
        { identity: 'A', image: 'sample3.jpg', enrolled: true }, { identity: 'A', image: 'sample4.jpg', enrolled: true },
        { identity: 'S', image: 'sample5.jpg', enrolled: false }, { identity: 'S', image: 'sample6.jpg', enrolled: false },
      ],
    };
    const emb: EmbeddingMap = new Map([
      ['sample1.jpg', v(0, 0)], ['sample2.jpg', v(10, 0)], ['sample3.jpg', v(1, 0)], ['sample4.jpg', v(8, 0)],
      ['sample5.jpg', v(9, 1)], ['sample6.jpg', v(50, 50)],
    ]);
    const r = evaluateIdentification(split, emb, { metric: 'euclidean', threshold: 3 });
    const out = await writeIdentificationReport(dir, r, { root: DEMO, meta: { model: 'm', metric: 'euclidean' } });
    const html = readFileSync(out.index, 'utf8');
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    assert.equal(svgs.length, 2);
    for (const s of svgs) assert.equal(XMLValidator.validate(s), true);
    assert.ok(html.includes('50.00%'), 'rank-1 of 1 in 2');
    // one wrong enrolled probe (sample4 nearer B) and one stranger named (sample5 at 1.41 from B)
    const thumbs = readdirSync(join(dir, 'thumbs')).sort();
    assert.deepEqual(thumbs, ['stranger-1-1.jpg', 'stranger-1-2.jpg', 'wrong-1-1.jpg', 'wrong-1-2.jpg']);
    const nearest = await sharp(join(dir, 'thumbs', 'wrong-1-2.jpg')).metadata();
    assert.equal(nearest.width, 112);
    for (const f of ['cmc.png', 'open-set.png']) assert.equal((await sharp(join(dir, f)).metadata()).height, 480);
    assert.ok(/DIR 50.00%, FPIR 50.00%/.test(formatIdentification(r)));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
