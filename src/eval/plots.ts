/**
 * Figures as hand-written SVG strings (self-contained, inline-able in HTML), and PNG through sharp,
 * which renders SVG input. Fonts: generic sans-serif, so any installed font serves.
 */
import { loadSharp } from '../image/sharp.js';
import { FacekitError } from '../errors/index.js';
import type { RocPoint } from './metrics.js';

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** min and max without spreading (large arrays overflow the argument stack) */
function extent(xs: readonly number[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const x of xs) { if (x < lo) lo = x; if (x > hi) hi = x; }
  return [lo, hi];
}

const fmt = (v: number) => (Math.round(v * 100) / 100).toString();

export interface Series { label: string; points: { x: number; y: number }[]; color?: string }

export interface ChartOptions {
  width?: number;
  height?: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** log10 x axis; x values below `xMin` are drawn at xMin */
  logX?: boolean;
  xMin?: number;
  xMax?: number;
  yMin?: number;
  yMax?: number;
  /** draw the y = x diagonal (chance line of a linear ROC) */
  diagonal?: boolean;
  /** thin each series to about this many points (first and last kept); default 2000 */
  maxPoints?: number;
}

/** Keeps about `max` evenly spaced points, always the first and the last. */
export function thin<T>(pts: readonly T[], max: number): T[] {
  if (pts.length <= max || max < 2) return [...pts];
  const step = (pts.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, k) => pts[Math.round(k * step)]);
}

function linearTicks(lo: number, hi: number, target = 5): number[] {
  const span = hi - lo || 1;
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= target + 0.5) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * span; v += step) out.push(Math.abs(v) < 1e-12 * span ? 0 : v);
  return out;
}

function tickLabel(v: number, log: boolean): string {
  if (log) {
    const e = Math.round(Math.log10(v));
    return e === 0 ? '1' : `1e${e}`;
  }
  return Number(v.toPrecision(6)).toString();
}

/** A line chart: axes, grid, ticks, axis labels, title, legend; one <polyline> per series. */
export function lineChartSvg(series: readonly Series[], opts: ChartOptions = {}): string {
  const W = opts.width ?? 640, H = opts.height ?? 480;
  const m = { l: 74, r: 20, t: opts.title ? 40 : 16, b: 52 };
  const pw = W - m.l - m.r, ph = H - m.t - m.b;
  const maxPts = opts.maxPoints ?? 2000;
  const allX = series.flatMap((s) => s.points.map((p) => p.x)).filter(Number.isFinite);
  const allY = series.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
  const [ex0, ex1] = allX.length ? extent(allX) : [0, 1];
  const [ey0, ey1] = allY.length ? extent(allY) : [0, 1];
  let xMin = opts.xMin ?? ex0;
  const xMax = opts.xMax ?? ex1;
  const yMin = opts.yMin ?? ey0;
  const yMax = opts.yMax ?? ey1;
  if (opts.logX) {
    if (!(xMax > 0)) throw new FacekitError('BAD_ARGUMENT', 'a log axis needs positive values');
    if (!(xMin > 0)) {
      const pos = allX.filter((x) => x > 0);
      xMin = pos.length ? 10 ** Math.floor(Math.log10(extent(pos)[0])) : xMax / 1000;
    }
  }
  const lx = (x: number) => (opts.logX ? Math.log10(Math.max(x, xMin)) : x);
  const x0 = lx(xMin), x1 = lx(xMax) === x0 ? x0 + 1 : lx(xMax);
  const y1 = yMax === yMin ? yMin + 1 : yMax;
  const X = (x: number) => m.l + ((lx(x) - x0) / (x1 - x0)) * pw;
  const Y = (y: number) => m.t + ph - ((y - yMin) / (y1 - yMin)) * ph;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  if (opts.title) out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(opts.title)}</text>`);
  // grid and ticks
  const xt = opts.logX
    ? Array.from({ length: Math.floor(Math.log10(xMax) + 1e-9) - Math.ceil(Math.log10(xMin) - 1e-9) + 1 }, (_, k) => 10 ** (Math.ceil(Math.log10(xMin) - 1e-9) + k))
    : linearTicks(xMin, xMax);
  const yt = linearTicks(yMin, y1);
  out.push('<g stroke="#e3e3e3" stroke-width="1">');
  for (const t of xt) out.push(`<line x1="${fmt(X(t))}" y1="${m.t}" x2="${fmt(X(t))}" y2="${m.t + ph}"/>`);
  for (const t of yt) out.push(`<line x1="${m.l}" y1="${fmt(Y(t))}" x2="${m.l + pw}" y2="${fmt(Y(t))}"/>`);
  out.push('</g>');
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333333"/>`);
  out.push('<g fill="#333333">');
  for (const t of xt) out.push(`<text x="${fmt(X(t))}" y="${m.t + ph + 18}" text-anchor="middle">${tickLabel(t, !!opts.logX)}</text>`);
  for (const t of yt) out.push(`<text x="${m.l - 8}" y="${fmt(Y(t) + 4)}" text-anchor="end">${tickLabel(t, false)}</text>`);
  out.push('</g>');
  if (opts.xLabel) out.push(`<text x="${m.l + pw / 2}" y="${H - 12}" text-anchor="middle" font-size="13">${escapeXml(opts.xLabel)}</text>`);
  if (opts.yLabel) out.push(`<text x="16" y="${m.t + ph / 2}" text-anchor="middle" font-size="13" transform="rotate(-90 16 ${m.t + ph / 2})">${escapeXml(opts.yLabel)}</text>`);
  if (opts.diagonal) {
    const d0 = Math.max(xMin, yMin), d1 = Math.min(xMax, y1);
    out.push(`<line x1="${fmt(X(d0))}" y1="${fmt(Y(d0))}" x2="${fmt(X(d1))}" y2="${fmt(Y(d1))}" stroke="#999999" stroke-dasharray="4 4"/>`);
  }
  // clip the data to the plot area
  out.push(`<clipPath id="plot"><rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}"/></clipPath>`);
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const pts = thin(s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)), maxPts).map((p) => `${fmt(X(p.x))},${fmt(Y(p.y))}`).join(' ');
    out.push(`<polyline clip-path="url(#plot)" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round" points="${pts}"/>`);
  });
  // legend, bottom right inside the plot
  if (series.length) {
    const lw = Math.min(pw - 20, 24 + 7.2 * Math.max(...series.map((s) => s.label.length)) + 16), lh = 20 * series.length + 8;
    const lxp = m.l + pw - lw - 10, lyp = m.t + ph - lh - 10;
    out.push(`<g><rect x="${fmt(lxp)}" y="${fmt(lyp)}" width="${fmt(lw)}" height="${lh}" fill="#ffffff" fill-opacity="0.9" stroke="#999999"/>`);
    series.forEach((s, i) => {
      const yy = lyp + 16 + 20 * i;
      out.push(`<line x1="${fmt(lxp + 8)}" y1="${fmt(yy - 4)}" x2="${fmt(lxp + 28)}" y2="${fmt(yy - 4)}" stroke="${s.color ?? PALETTE[i % PALETTE.length]}" stroke-width="3"/>`);
      out.push(`<text x="${fmt(lxp + 34)}" y="${fmt(yy)}">${escapeXml(s.label)}</text>`);
    });
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}

export interface RocSeries { label: string; roc: readonly RocPoint[] }

/**
 * ROC (TAR against FAR) of one or several models. With `logFar`, FAR runs on a log axis from
 * `minFar` (default: the decade below the smallest positive FAR) to 1; the (0, TAR) points are
 * drawn at minFar, so every ROC point is one polyline point.
 */
export function rocSvg(curves: readonly RocSeries[], opts: { logFar?: boolean; minFar?: number; title?: string; width?: number; height?: number; maxPoints?: number } = {}): string {
  return lineChartSvg(
    curves.map((c) => ({ label: c.label, points: c.roc.map((p) => ({ x: p.far, y: p.tar })) })),
    {
      title: opts.title ?? 'ROC', xLabel: opts.logFar ? 'FAR (false accept rate, log scale)' : 'FAR (false accept rate)',
      yLabel: 'TAR (true accept rate)', logX: opts.logFar, xMin: opts.logFar ? opts.minFar : 0, xMax: 1, yMin: 0, yMax: 1,
      diagonal: !opts.logFar, width: opts.width, height: opts.height, maxPoints: opts.maxPoints,
    },
  );
}

export interface HistogramOptions {
  bins?: number;
  threshold?: number;
  title?: string;
  xLabel?: string;
  width?: number;
  height?: number;
}

export interface HistogramBins { edges: number[]; genuine: number[]; impostor: number[] }

/** Shared bins over both lists; each class normalized to fractions so unequal counts compare. */
export function histogramBins(genuine: readonly number[], impostor: readonly number[], bins = 40): HistogramBins {
  const all = [...genuine, ...impostor].filter(Number.isFinite);
  if (all.length === 0) throw new FacekitError('BAD_ARGUMENT', 'no distances to draw');
  let [lo, hi] = extent(all);
  if (hi === lo) { lo -= 0.5; hi += 0.5; }
  const w = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, k) => lo + k * w);
  const count = (xs: readonly number[]) => {
    const c = new Array<number>(bins).fill(0);
    for (const x of xs) if (Number.isFinite(x)) c[Math.min(bins - 1, Math.floor((x - lo) / w))]++;
    return c.map((v) => (xs.length ? v / xs.length : 0));
  };
  return { edges, genuine: count(genuine), impostor: count(impostor) };
}

/** Genuine and impostor distance histograms, overlaid, with the threshold as a dashed line. */
/** the start of a bar chart: the svg element, a white page, the title and horizontal grid lines at `gridYs` */
function barChartHead(W: number, H: number, title: string, gridYs: readonly number[], x0: number, x1: number): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    '<g stroke="#e3e3e3">',
    ...gridYs.map((y) => `<line x1="${x0}" y1="${fmt(y)}" x2="${x1}" y2="${fmt(y)}"/>`),
    '</g>',
  ];
}

export function histogramSvg(genuine: readonly number[], impostor: readonly number[], opts: HistogramOptions = {}): string {
  const W = opts.width ?? 640, H = opts.height ?? 400;
  const m = { l: 74, r: 20, t: 40, b: 52 };
  const pw = W - m.l - m.r, ph = H - m.t - m.b;
  const h = histogramBins(genuine, impostor, opts.bins ?? 40);
  let lo = h.edges[0], hi = h.edges[h.edges.length - 1];
  if (opts.threshold !== undefined && Number.isFinite(opts.threshold)) { lo = Math.min(lo, opts.threshold); hi = Math.max(hi, opts.threshold); }
  // headroom so the legend sits above the bars
  const top = Math.max(extent(h.genuine)[1], extent(h.impostor)[1]) * 1.3 || 1;
  const X = (x: number) => m.l + ((x - lo) / (hi - lo)) * pw;
  const Y = (y: number) => m.t + ph - (y / top) * ph;
  const yt = linearTicks(0, top);
  const out = barChartHead(W, H, opts.title ?? 'Distance distributions', yt.map(Y), m.l, m.l + pw);
  const bars = (vals: number[], color: string, cls: string) => {
    out.push(`<g class="${cls}" fill="${color}" fill-opacity="0.55" stroke="${color}" stroke-width="0.5">`);
    vals.forEach((v, k) => {
      const x = X(h.edges[k]), w = X(h.edges[k + 1]) - x;
      out.push(`<rect x="${fmt(x)}" y="${fmt(Y(v))}" width="${fmt(Math.max(w, 0.5))}" height="${fmt(Y(0) - Y(v))}"/>`);
    });
    out.push('</g>');
  };
  bars(h.impostor, PALETTE[1], 'impostor');
  bars(h.genuine, PALETTE[0], 'genuine');
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333333"/>`);
  out.push('<g fill="#333333">');
  for (const t of linearTicks(lo, hi, 8)) out.push(`<text x="${fmt(X(t))}" y="${m.t + ph + 18}" text-anchor="middle">${tickLabel(t, false)}</text>`);
  for (const t of yt) out.push(`<text x="${m.l - 8}" y="${fmt(Y(t) + 4)}" text-anchor="end">${tickLabel(t, false)}</text>`);
  out.push('</g>');
  out.push(`<text x="${m.l + pw / 2}" y="${H - 12}" text-anchor="middle" font-size="13">${escapeXml(opts.xLabel ?? 'distance (lower = more alike)')}</text>`);
  out.push(`<text x="16" y="${m.t + ph / 2}" text-anchor="middle" font-size="13" transform="rotate(-90 16 ${m.t + ph / 2})">share of pairs</text>`);
  if (opts.threshold !== undefined && Number.isFinite(opts.threshold)) {
    const tx = fmt(X(opts.threshold));
    out.push(`<line class="threshold" x1="${tx}" y1="${m.t}" x2="${tx}" y2="${m.t + ph}" stroke="#000000" stroke-width="1.5" stroke-dasharray="6 4"/>`);
    // below the legend, on whichever side of the line has room; a white halo keeps it legible over bars
    const right = X(opts.threshold) < m.l + pw - 110;
    out.push(`<text x="${fmt(X(opts.threshold) + (right ? 5 : -5))}" y="${m.t + 76}" text-anchor="${right ? 'start' : 'end'}" stroke="#ffffff" stroke-width="3" paint-order="stroke">threshold ${Number(opts.threshold.toPrecision(4))}</text>`);
  }
  const lxp = m.l + pw - 150, lyp = m.t + 8;
  out.push(`<g><rect x="${lxp}" y="${lyp}" width="140" height="48" fill="#ffffff" fill-opacity="0.9" stroke="#999999"/>`);
  [['genuine', PALETTE[0]], ['impostor', PALETTE[1]]].forEach(([label, color], i) => {
    out.push(`<rect x="${lxp + 8}" y="${lyp + 9 + 20 * i}" width="18" height="10" fill="${color}" fill-opacity="0.55" stroke="${color}"/>`);
    out.push(`<text x="${lxp + 32}" y="${lyp + 18 + 20 * i}">${label} (${i === 0 ? genuine.length : impostor.length})</text>`);
  });
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n');
}

/** Renders an SVG string to PNG at its own width and height (density scales it, 72 = 1:1). */
export async function svgToPng(svg: string, opts: { density?: number } = {}): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(Buffer.from(svg), { density: opts.density ?? 72 }).png().toBuffer();
}

/** CMC: identification rate against rank, one curve per model. cmc[k-1] = rank-k rate. */
export function cmcSvg(curves: readonly { label: string; cmc: readonly number[] }[], opts: { title?: string; width?: number; height?: number } = {}): string {
  const maxRank = Math.max(2, ...curves.map((c) => c.cmc.length));
  return lineChartSvg(
    curves.map((c) => ({ label: c.label, points: c.cmc.map((v, k) => ({ x: k + 1, y: v })) })),
    { title: opts.title ?? 'CMC', xLabel: 'rank', yLabel: 'identification rate', xMin: 1, xMax: maxRank, yMax: 1, width: opts.width, height: opts.height },
  );
}

/**
 * Open-set identification: DIR (enrolled probes named right under the threshold) against FPIR
 * (strangers wrongly named), swept over the threshold; log FPIR axis optional.
 */
export function openSetSvg(curves: readonly { label: string; curve: readonly { fpir: number; dir: number }[] }[], opts: { logFpir?: boolean; title?: string; width?: number; height?: number } = {}): string {
  return lineChartSvg(
    curves.map((c) => ({ label: c.label, points: c.curve.map((p) => ({ x: p.fpir, y: p.dir })) })),
    {
      title: opts.title ?? 'Open-set identification', xLabel: opts.logFpir ? 'FPIR (strangers named, log scale)' : 'FPIR (strangers named)',
      yLabel: 'DIR (enrolled named right)', logX: opts.logFpir, xMin: opts.logFpir ? undefined : 0, xMax: 1, yMin: 0, yMax: 1,
      width: opts.width, height: opts.height,
    },
  );
}

/**
 * Rates per group as side-by-side bars (FMR and FNMR of each demographic group), in percent on a
 * linear axis; a rate that could not be measured (no pairs) is left out and marked 'n/a'.
 */
export function groupBarsSvg(groups: readonly { group: string; values: readonly (number | null)[] }[], seriesLabels: readonly string[], opts: { title?: string; width?: number; height?: number } = {}): string {
  const W = opts.width ?? Math.max(480, 120 + groups.length * (28 * seriesLabels.length + 24)), H = opts.height ?? 360;
  const m = { l: 74, r: 20, t: 44, b: 56 };
  const pw = W - m.l - m.r, ph = H - m.t - m.b;
  const top = Math.max(...groups.flatMap((g) => g.values.filter((v): v is number => v !== null)), 0) * 100 * 1.25 || 1;
  const Y = (pctValue: number) => m.t + ph - (pctValue / top) * ph;
  const slot = pw / Math.max(1, groups.length), barW = Math.min(28, (slot - 16) / seriesLabels.length);
  const yt = linearTicks(0, top);
  const out = barChartHead(W, H, opts.title ?? 'Rates per group', yt.map(Y), m.l, m.l + pw);
  groups.forEach((g, i) => {
    const x0 = m.l + i * slot + (slot - barW * seriesLabels.length) / 2;
    g.values.forEach((v, k) => {
      const x = x0 + k * barW, color = PALETTE[k % PALETTE.length];
      if (v === null) out.push(`<text x="${fmt(x + barW / 2)}" y="${m.t + ph - 4}" text-anchor="middle" font-size="9" fill="#888888">n/a</text>`);
      else out.push(`<rect class="bar" x="${fmt(x)}" y="${fmt(Y(100 * v))}" width="${fmt(barW - 2)}" height="${fmt(Y(0) - Y(100 * v))}" fill="${color}" fill-opacity="0.75"/>`);
    });
    out.push(`<text x="${fmt(m.l + (i + 0.5) * slot)}" y="${m.t + ph + 18}" text-anchor="middle">${escapeXml(g.group)}</text>`);
  });
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333333"/>`);
  out.push('<g fill="#333333">');
  for (const t of yt) out.push(`<text x="${m.l - 8}" y="${fmt(Y(t) + 4)}" text-anchor="end">${tickLabel(t, false)}%</text>`);
  out.push('</g>');
  seriesLabels.forEach((label, k) => {
    const lx = m.l + 8 + k * 90;
    out.push(`<rect x="${lx}" y="${m.t + 8}" width="14" height="10" fill="${PALETTE[k % PALETTE.length]}" fill-opacity="0.75"/><text x="${lx + 20}" y="${m.t + 17}">${escapeXml(label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
