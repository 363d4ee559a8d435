/**
 * Verification report: a folder with index.html (figures inline as SVG, summary, folds, hardest
 * pairs as thumbnails), the figures as PNG, and result.json. Thumbnails are small resized copies
 * made for the report; the original photos are only read.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import sharp from 'sharp';
import { escapeXml, histogramSvg, rocSvg, svgToPng, type RocSeries } from './plots.ts';
import type { ScoredPair, VerificationResult } from './verification.ts';

export interface ReportOptions {
  /** how many hardest genuine and hardest impostor pairs to show (default 8; 0 for none) */
  hardestPairs?: number;
  /** folder the pair paths are relative to (absolute paths are used as they are) */
  root?: string;
  title?: string;
  /** other ROC curves to draw beside this result's (e.g. other models on the same pairs) */
  compareWith?: RocSeries[];
  /** thumbnail edge in pixels (default 112) */
  thumbSize?: number;
}

export interface ReportFiles { index: string; files: string[] }

const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(2)}%` : 'n/a');
const num = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : 'n/a');

/** Plain-text summary for a terminal. */
export function formatVerification(r: VerificationResult): string {
  const lines = [
    ...Object.entries(r.meta).map(([k, v]) => `${k}: ${v}`),
    `pairs: ${r.pairs.genuine} genuine, ${r.pairs.impostor} impostor; no face: ${r.noFace.genuine} genuine, ${r.noFace.impostor} impostor (counted as errors)`,
    `accuracy (${r.folds.length}-fold): ${pct(r.accuracyMean)} +- ${pct(r.accuracyStd)} at mean threshold ${num(r.thresholdMean)}`,
    `AUC: ${r.auc.toFixed(4)}   EER: ${pct(r.eer)} at ${num(r.eerThreshold)}`,
    ...r.tarAtFar.map((t) => `TAR @ FAR ${t.far}: ${pct(t.tar)} (threshold ${num(t.threshold)})${t.resolvable ? '' : ' [too few impostors to measure this FAR]'}`),
  ];
  return lines.join('\n');
}

/** Genuine pairs judged most different, impostor pairs judged most alike. */
export function hardestPairs(scored: readonly ScoredPair[], n: number): { genuine: ScoredPair[]; impostor: ScoredPair[] } {
  const withD = scored.filter((p) => p.distance !== null);
  return {
    genuine: withD.filter((p) => p.same).sort((x, y) => y.distance! - x.distance!).slice(0, n),
    impostor: withD.filter((p) => !p.same).sort((x, y) => x.distance! - y.distance!).slice(0, n),
  };
}

async function thumbnail(src: string, dest: string, size: number): Promise<boolean> {
  try {
    await sharp(src).rotate().resize(size, size, { fit: 'cover' }).jpeg({ quality: 80 }).toFile(dest);
    return true;
  } catch {
    return false; // unreadable or missing: the report shows the path instead
  }
}

export async function writeVerificationReport(dir: string, r: VerificationResult, opts: ReportOptions = {}): Promise<ReportFiles> {
  const n = opts.hardestPairs ?? 8;
  const size = opts.thumbSize ?? 112;
  const title = opts.title ?? `Verification report${r.meta.model ? `: ${r.meta.model}` : ''}`;
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const put = (name: string, data: string | Buffer) => { writeFileSync(join(dir, name), data); files.push(name); };

  const label = [r.meta.model, r.meta.metric].filter(Boolean).join(' / ') || 'this run';
  const curves: RocSeries[] = [{ label: `${label} (AUC ${r.auc.toFixed(3)})`, roc: r.roc }, ...(opts.compareWith ?? [])];
  const genuine = r.scored.filter((p) => p.same && p.distance !== null).map((p) => p.distance!);
  const impostor = r.scored.filter((p) => !p.same && p.distance !== null).map((p) => p.distance!);
  const figures = [
    { name: 'roc', svg: rocSvg(curves, { title: 'ROC' }) },
    { name: 'roc-log', svg: rocSvg(curves, { logFar: true, title: 'ROC, log FAR' }) },
    { name: 'distances', svg: histogramSvg(genuine, impostor, { threshold: r.thresholdMean, title: 'Genuine and impostor distances (mean 10-fold threshold)' }) },
  ];
  for (const f of figures) put(`${f.name}.png`, await svgToPng(f.svg));

  const hard = hardestPairs(r.scored, n);
  const root = opts.root ?? '.';
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(root, p));
  if (n > 0) mkdirSync(join(dir, 'thumbs'), { recursive: true });
  const pairRows = async (pairs: ScoredPair[], kind: string): Promise<string> => {
    const rows: string[] = [];
    for (let i = 0; i < pairs.length; i++) {
      const p = pairs[i];
      const cells: string[] = [];
      for (const [k, img] of [[1, p.img1], [2, p.img2]] as const) {
        const name = `thumbs/${kind}-${i + 1}-${k}.jpg`;
        const ok = await thumbnail(abs(img), join(dir, name), size);
        if (ok) files.push(name);
        cells.push(ok ? `<img src="${name}" width="${size}" height="${size}" alt="${escapeXml(img)}">` : '<span class="missing">unreadable</span>');
      }
      rows.push(`<tr><td>${cells[0]}</td><td>${cells[1]}</td><td class="num">${num(p.distance!)}</td><td class="path">${escapeXml(p.img1)}<br>${escapeXml(p.img2)}</td></tr>`);
    }
    return rows.join('\n');
  };
  const hardHtml = n > 0 ? `
<h2>Hardest pairs</h2>
<h3>Genuine pairs with the largest distance (same person, looked different)</h3>
<table class="pairs"><tr><th>image 1</th><th>image 2</th><th>distance</th><th>files</th></tr>
${await pairRows(hard.genuine, 'genuine')}</table>
<h3>Impostor pairs with the smallest distance (different people, looked alike)</h3>
<table class="pairs"><tr><th>image 1</th><th>image 2</th><th>distance</th><th>files</th></tr>
${await pairRows(hard.impostor, 'impostor')}</table>` : '';

  const summary: [string, string][] = [
    ...Object.entries(r.meta).map(([k, v]) => [k, String(v)] as [string, string]),
    ['pairs', `${r.pairs.genuine} genuine, ${r.pairs.impostor} impostor`],
    ['no face (counted as errors)', `${r.noFace.genuine} genuine, ${r.noFace.impostor} impostor`],
    [`accuracy (${r.folds.length}-fold)`, `${pct(r.accuracyMean)} &plusmn; ${pct(r.accuracyStd)}`],
    ['mean threshold', num(r.thresholdMean)],
    ['ROC AUC', r.auc.toFixed(4)],
    ['EER', `${pct(r.eer)} (threshold ${num(r.eerThreshold)})`],
    ...r.tarAtFar.map((t) => [`TAR @ FAR ${t.far}`, `${pct(t.tar)} (threshold ${num(t.threshold)})${t.resolvable ? '' : ' &ndash; too few impostors to measure this FAR'}`] as [string, string]),
  ];
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1400px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: left; vertical-align: middle; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.path { font-size: 0.8em; color: #555; }
.figs { display: flex; flex-wrap: wrap; gap: 1em; }
.missing { color: #a00; }
</style></head><body>
<h1>${escapeXml(title)}</h1>
<p>Distances: lower = more alike; a pair is accepted as the same person when distance &le; threshold.
Each fold's threshold is the best-accuracy threshold of the other folds.</p>
<h2>Summary</h2>
<table>${summary.map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${v}</td></tr>`).join('\n')}</table>
<h2>Figures</h2>
<div class="figs">
${figures.map((f) => `<figure>${f.svg}<figcaption><a href="${f.name}.png">${f.name}.png</a></figcaption></figure>`).join('\n')}
</div>
<h2>Folds</h2>
<table><tr><th>fold</th><th>pairs</th><th>no face</th><th>threshold</th><th>accuracy</th></tr>
${r.folds.map((f) => `<tr><td>${f.fold}</td><td class="num">${f.pairs}</td><td class="num">${f.noFace}</td><td class="num">${num(f.threshold)}</td><td class="num">${pct(f.accuracy)}</td></tr>`).join('\n')}
</table>
${hardHtml}
</body></html>
`;
  put('index.html', html);
  put('result.json', JSON.stringify(r));
  return { index: join(dir, 'index.html'), files };
}
