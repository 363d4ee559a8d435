import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { rocCurve } from '../../src/eval/index.ts';
import { rocSvg, histogramSvg, histogramBins, svgToPng, lineChartSvg, thin, cmcSvg, openSetSvg } from '../../src/eval/plots.ts';

function parse(svg: string): any {
  assert.equal(XMLValidator.validate(svg), true, 'well-formed XML');
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg).svg;
}
const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

const a = { genuine: [0.1, 0.2, 0.35, 0.5], impostor: [0.3, 0.6, 0.7, 0.8, 0.9] };
const b = { genuine: [0.2, 0.4, 0.6], impostor: [0.5, 0.55, 0.7, 0.9] };

test('ROC SVG: one polyline per curve with one point per ROC point, legend entries, escaped labels', () => {
  const ra = rocCurve(a), rb = rocCurve(b);
  for (const logFar of [false, true]) {
    const svg = rocSvg([{ label: 'model <A> & co', roc: ra }, { label: 'B', roc: rb }], { logFar });
    const doc = parse(svg);
    assert.equal(doc.width, '640');
    const lines = asArray(doc.polyline);
    assert.equal(lines.length, 2);
    assert.equal(lines[0].points.trim().split(/\s+/).length, ra.length);
    assert.equal(lines[1].points.trim().split(/\s+/).length, rb.length);
    assert.ok(svg.includes('model &lt;A&gt; &amp; co'));
    // every point inside the plot frame
    for (const l of lines) for (const p of l.points.trim().split(/\s+/)) {
      const [x, y] = p.split(',').map(Number);
      assert.ok(x >= 74 - 1e-6 && x <= 620 + 1e-6 && y >= 16 && y <= 480 - 52 + 1e-6, `${p} outside (log ${logFar})`);
    }
  }
  // log axis: ticks at decades from the decade below the smallest positive FAR (0.2 -> 0.1) to 1
  const logSvg = rocSvg([{ label: 'A', roc: ra }], { logFar: true });
  assert.ok(/>1e-1</.test(logSvg) && />1</.test(logSvg) && !/>1e-2</.test(logSvg));
  assert.ok(/>1e-4</.test(rocSvg([{ label: 'A', roc: ra }], { logFar: true, minFar: 1e-4 })));
});

test('long curves are thinned to maxPoints, keeping both ends', () => {
  const pts = Array.from({ length: 10001 }, (_, k) => ({ x: k / 10000, y: Math.sqrt(k / 10000) }));
  const doc = parse(lineChartSvg([{ label: 's', points: pts }], { maxPoints: 500 }));
  const p = asArray(doc.polyline)[0].points.trim().split(/\s+/);
  assert.equal(p.length, 500);
  assert.deepEqual(thin([1, 2, 3, 4, 5], 3), [1, 3, 5]);
  // half a million points (a big ROC) must not overflow the argument stack
  const big = Array.from({ length: 200000 }, (_, k) => ({ x: k / 200000, y: k / 200000 }));
  assert.equal(asArray(parse(lineChartSvg([{ label: 'big', points: big }], { logX: true })).polyline)[0].points.trim().split(/\s+/).length, 2000);
  const many = Array.from({ length: 200000 }, (_, k) => k / 200000);
  assert.equal(histogramBins(many, many, 10).genuine[0], 0.1);
});

test('histogram SVG: bins per class normalized, threshold line where it belongs', () => {
  const h = histogramBins(a.genuine, a.impostor, 8);
  assert.equal(h.edges.length, 9);
  assert.ok(Math.abs(h.genuine.reduce((s, v) => s + v, 0) - 1) < 1e-12);
  assert.ok(Math.abs(h.impostor.reduce((s, v) => s + v, 0) - 1) < 1e-12);
  assert.ok(h.impostor[7] >= 0.2, 'the max (0.9) lands in the last bin');
  assert.ok(h.genuine[0] >= 0.25 && h.impostor[0] === 0, 'the min (0.1) in the first');
  const svg = histogramSvg(a.genuine, a.impostor, { bins: 8, threshold: 0.5 });
  const doc = parse(svg);
  const groups = asArray(doc.g).filter((g: any) => g.class === 'genuine' || g.class === 'impostor');
  assert.equal(groups.length, 2);
  for (const g of groups) assert.equal(asArray(g.rect).length, 8);
  const thr = asArray(doc.line).find((l: any) => l.class === 'threshold');
  // data span 0.1..0.9 over x 74..620: threshold 0.5 sits mid-plot
  assert.ok(Math.abs(Number(thr.x1) - (74 + 546 / 2)) < 0.01, thr.x1);
});

test('PNG of the expected size from the SVG', async () => {
  const png = await svgToPng(rocSvg([{ label: 'A', roc: rocCurve(a) }], { width: 500, height: 360 }));
  const meta = await sharp(png).metadata();
  assert.equal(meta.format, 'png');
  assert.equal(meta.width, 500);
  assert.equal(meta.height, 360);
  // not blank: the curve's colour is present
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  let blue = 0;
  for (let i = 0; i < data.length; i += info.channels) if (data[i] < 80 && data[i + 2] > 150) blue++;
  assert.ok(blue > 200, `curve pixels: ${blue}`);
});

test('CMC and open-set SVGs: one point per rank / per curve point', () => {
  const cmc = parse(cmcSvg([{ label: 'a', cmc: [0.5, 0.75, 0.75, 1] }, { label: 'b', cmc: [0.9, 1] }]));
  const lines = asArray(cmc.polyline);
  assert.deepEqual(lines.map((l: any) => l.points.trim().split(/\s+/).length), [4, 2]);
  // rank 1 at the left edge of the plot, rank 4 at the right
  const xs = lines[0].points.trim().split(/\s+/).map((p: string) => Number(p.split(',')[0]));
  assert.ok(Math.abs(xs[0] - 74) < 0.01 && Math.abs(xs[3] - 620) < 0.01, String(xs));
  const curve = [{ fpir: 0, dir: 0 }, { fpir: 0, dir: 0.25 }, { fpir: 0.5, dir: 0.25 }, { fpir: 0.5, dir: 0.5 }, { fpir: 1, dir: 0.5 }];
  for (const logFpir of [false, true]) {
    const os = parse(openSetSvg([{ label: 'x', curve }], { logFpir }));
    assert.equal(asArray(os.polyline)[0].points.trim().split(/\s+/).length, 5);
  }
});
