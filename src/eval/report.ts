/**
 * Verification report: a folder with index.html (figures inline as SVG, summary, folds, hardest
 * pairs as thumbnails), the figures as PNG, and result.json. Thumbnails are small resized copies
 * made for the report; the original photos are only read.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { loadSharp } from '../image/sharp.js';
import { cmcSvg, escapeXml, groupBarsSvg, histogramSvg, openSetSvg, rocSvg, svgToPng, type RocSeries } from './plots.js';
import { differentialText, type GroupReport } from './groups.js';
import type { ScoredPair, VerificationResult } from './verification.js';
import type { IdentificationResult, ProbeOutcome } from './identification.js';

export interface ReportOptions {
  /** how many hardest genuine and hardest impostor pairs to show (default 8; 0 for none) */
  hardestPairs?: number;
  /** folder the pair paths are relative to (default: the result's root; absolute paths are used as they are) */
  root?: string;
  title?: string;
  /** other ROC curves to draw beside this result's (e.g. other models on the same pairs) */
  compareWith?: RocSeries[];
  /** thumbnail edge in pixels (default 112) */
  thumbSize?: number;
  /** rates per demographic group at the deployed threshold (eval verify --group-by) */
  groups?: GroupReport;
  /** more figures for the report's figure section (e.g. the error-versus-reject curve, quality-reject.ts) */
  extraFigures?: { name: string; svg: string }[];
}

export interface ReportFiles { index: string; files: string[] }

const STYLE = `<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1400px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: left; vertical-align: middle; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.path { font-size: 0.8em; color: #555; }
.figs { display: flex; flex-wrap: wrap; gap: 1em; }
.missing { color: #a00; }
</style>`;

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
  const sharp = await loadSharp();
  try {
    await sharp(src).rotate().resize(size, size, { fit: 'cover' }).jpeg({ quality: 80 }).toFile(dest);
    return true;
  } catch {
    return false; // unreadable or missing: the report shows the path instead
  }
}

/** A table cell showing `src` as a thumbnail written to `dir/name` (listed in `files`), or a note when it cannot be read. */
async function thumbnailCell(dir: string, name: string, src: string, label: string, size: number, files: string[]): Promise<string> {
  const ok = await thumbnail(src, join(dir, name), size);
  if (!ok) return '<span class="missing">unreadable</span>';
  files.push(name);
  return `<img src="${name}" width="${size}" height="${size}" alt="${escapeXml(label)}">`;
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
    ...(opts.extraFigures ?? []),
  ];
  const groups = opts.groups;
  if (groups) {
    const bars = groupBarsSvg(groups.groups.map((g) => ({ group: g.group, values: [g.fmr, g.fnmr] })), ['FMR', 'FNMR'], { title: `FMR and FNMR by ${groups.field} at threshold ${num(groups.threshold)}` });
    figures.push({ name: 'groups', svg: bars });
  }
  for (const f of figures) put(`${f.name}.png`, await svgToPng(f.svg));
  const groupsHtml = groups ? `
<h2>By ${escapeXml(groups.field)}</h2>
<p>At the deployed threshold ${num(groups.threshold)}. Impostor pairs count for a group only when both faces belong to it;
${groups.crossGroupImpostors.pairs} impostor pairs across groups (${groups.crossGroupImpostors.falseMatches} false matches), ${groups.crossGroupGenuine} genuine pairs with two labels
and ${groups.unlabelledPairs} pairs with an unlabelled image are left out.</p>
<table><tr><th>group</th><th>FMR</th><th>false matches / impostor pairs</th><th>FNMR</th><th>false non-matches / genuine pairs</th><th>no face</th></tr>
${groups.groups.map((g) => `<tr><td>${escapeXml(g.group)}</td><td class="num">${g.fmr === null ? '-' : pct(g.fmr)}</td><td class="num">${g.falseMatches} / ${g.impostor}</td><td class="num">${g.fnmr === null ? '-' : pct(g.fnmr)}</td><td class="num">${g.falseNonMatches} / ${g.genuine}</td><td class="num">${g.noFace}</td></tr>`).join('\n')}
</table>
<p>Worst / best FMR: ${escapeXml(differentialText(groups.fmr))}. Worst / best FNMR: ${escapeXml(differentialText(groups.fnmr))}.</p>` : '';

  const hard = hardestPairs(r.scored, n);
  const root = opts.root ?? r.root ?? '.';
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(root, p));
  if (n > 0) mkdirSync(join(dir, 'thumbs'), { recursive: true });
  const pairRows = async (pairs: ScoredPair[], kind: string): Promise<string> => {
    const rows: string[] = [];
    for (let i = 0; i < pairs.length; i++) {
      const p = pairs[i];
      const cells: string[] = [];
      for (const [k, img] of [[1, p.img1], [2, p.img2]] as const) {
        cells.push(await thumbnailCell(dir, `thumbs/${kind}-${i + 1}-${k}.jpg`, abs(img), img, size, files));
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
${STYLE}</head><body>
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
${groupsHtml}
${hardHtml}
</body></html>
`;
  put('index.html', html);
  put('result.json', JSON.stringify(r));
  return { index: join(dir, 'index.html'), files };
}

export interface IdentificationReportOptions {
  /** how many failures of each kind to show as thumbnails (default 8; 0 for none) */
  failures?: number;
  root?: string;
  title?: string;
  meta?: Record<string, string | number>;
  thumbSize?: number;
}

export function formatIdentification(r: IdentificationResult): string {
  return [
    `gallery: ${r.counts.galleryIdentities} identities; probes: ${r.counts.enrolledProbes} enrolled, ${r.counts.strangerProbes} strangers`,
    `no face: ${r.noFace.gallery} gallery, ${r.noFace.enrolledProbes} enrolled probes (misses), ${r.noFace.strangerProbes} stranger probes (rejected)`,
    `rank-1: ${pct(r.rank1)}   rank-5: ${pct(r.rank5)}`,
    ...(r.threshold !== undefined ? [`at threshold ${num(r.threshold)}: DIR ${pct(r.dir!)}, FPIR ${pct(r.fpir!)}`] : []),
  ].join('\n');
}

/** Identification report: summary, CMC and DIR/FPIR figures, and the failures as thumbnails. */
export async function writeIdentificationReport(dir: string, r: IdentificationResult, opts: IdentificationReportOptions = {}): Promise<ReportFiles> {
  const n = opts.failures ?? 8;
  const size = opts.thumbSize ?? 112;
  const meta = opts.meta ?? {};
  const title = opts.title ?? `Identification report${meta.model ? `: ${meta.model}` : ''}`;
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const put = (name: string, data: string | Buffer) => { writeFileSync(join(dir, name), data); files.push(name); };
  const label = [meta.model, meta.metric].filter(Boolean).join(' / ') || 'this run';
  const figures = [
    { name: 'cmc', svg: cmcSvg([{ label, cmc: r.cmc }]) },
    { name: 'open-set', svg: openSetSvg([{ label, curve: r.curve }], { logFpir: true }) },
  ];
  for (const f of figures) put(`${f.name}.png`, await svgToPng(f.svg));

  const abs = (p: string) => (isAbsolute(p) ? p : resolve(opts.root ?? '.', p));
  if (n > 0) mkdirSync(join(dir, 'thumbs'), { recursive: true });
  const rows = async (list: ProbeOutcome[], kind: string): Promise<string> => {
    const out: string[] = [];
    for (let i = 0; i < list.length; i++) {
      const o = list[i];
      const cells: string[] = [];
      for (const [k, img] of [[1, o.image], [2, o.nearestImage!]] as const) {
        cells.push(await thumbnailCell(dir, `thumbs/${kind}-${i + 1}-${k}.jpg`, abs(img), img, size, files));
      }
      out.push(`<tr><td>${cells[0]}<br>${escapeXml(o.identity)}</td><td>${cells[1]}<br>${escapeXml(o.nearest ?? '')}</td><td class="num">${num(o.distance!)}</td><td class="num">${o.rank ?? '-'}</td></tr>`);
    }
    return out.join('\n');
  };
  const wrong = r.outcomes.filter((o) => o.enrolled && o.distance !== null && o.rank !== 1).sort((a, b) => a.distance! - b.distance!).slice(0, n);
  const t = r.threshold;
  const named = r.outcomes.filter((o) => !o.enrolled && o.distance !== null && (t === undefined || o.distance <= t)).sort((a, b) => a.distance! - b.distance!).slice(0, n);
  const head = '<tr><th>probe</th><th>nearest gallery image</th><th>distance</th><th>true rank</th></tr>';
  const failHtml = n > 0 ? `
<h2>Failures</h2>
<h3>Enrolled probes named wrongly at rank 1 (closest first)</h3>
<table>${head}
${await rows(wrong, 'wrong')}</table>
<h3>Strangers nearest to the gallery${t !== undefined ? ' (named under the threshold)' : ''}</h3>
<table>${head}
${await rows(named, 'stranger')}</table>` : '';
  const summary: [string, string][] = [
    ...Object.entries(meta).map(([k, v]) => [k, String(v)] as [string, string]),
    ['gallery identities', String(r.counts.galleryIdentities)],
    ['probes', `${r.counts.enrolledProbes} enrolled, ${r.counts.strangerProbes} strangers`],
    ['no face', `${r.noFace.gallery} gallery, ${r.noFace.enrolledProbes} enrolled probes (misses), ${r.noFace.strangerProbes} stranger probes (rejected)`],
    ['rank-1', pct(r.rank1)],
    ['rank-5', pct(r.rank5)],
    ...(t !== undefined ? [['threshold', num(t)], ['DIR at threshold', pct(r.dir!)], ['FPIR at threshold', pct(r.fpir!)]] as [string, string][] : []),
  ];
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
${STYLE}</head><body>
<h1>${escapeXml(title)}</h1>
<p>One image per enrolled identity in the gallery, the rest as probes; strangers are identities left out
of the gallery. DIR: enrolled probes named right at rank 1 with distance &le; threshold. FPIR: strangers
whose nearest identity is within the threshold.</p>
<h2>Summary</h2>
<table>${summary.map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${v}</td></tr>`).join('\n')}</table>
<h2>Figures</h2>
<div class="figs">
${figures.map((f) => `<figure>${f.svg}<figcaption><a href="${f.name}.png">${f.name}.png</a></figcaption></figure>`).join('\n')}
</div>
${failHtml}
</body></html>
`;
  put('index.html', html);
  put('result.json', JSON.stringify({ meta, ...r }));
  return { index: join(dir, 'index.html'), files };
}
