/**
 * Demographic differentials, as NIST's FRVT demographic studies report them: at the one threshold
 * a deployment uses, the false match rate (impostor pairs accepted) and the false non-match rate
 * (genuine pairs rejected) of each group, and the ratio of the worst group's rate to the best's.
 * Impostor pairs count for a group only when both faces belong to it (people are mostly mistaken
 * for people who look like them, so cross-group impostors would flatter every group); pairs
 * across groups are counted apart.
 *
 * Labels per image come from a CSV (a key column `image` or `identity`, and the field's column)
 * or from the file names, through a regular expression with a named group for the field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FacekitError } from '../errors/index.js';
import { parseCsvLine } from './pairs.js';
import type { ScoredPair } from './verification.js';

/** the group of an image (a path relative to the dataset root), undefined when unlabelled */
export type GroupOf = (image: string) => string | undefined;

const IMAGE_KEYS = ['image', 'file', 'path'];
const IDENTITY_KEYS = ['identity', 'person'];

/**
 * Labels from a CSV with a header line: a key column (`image`, `file` or `path`: the image's path
 * relative to the dataset root, or its file name; or `identity` / `person`: the folder of its
 * images) and a column named `field`. Bad input is a BAD_ARGUMENT naming the file and line.
 */
export function readGroupCsv(file: string, field: string): GroupOf {
  if (!existsSync(file)) throw new FacekitError('NOT_FOUND', `group labels file not found: ${file}`);
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).map((l, k) => ({ l: l.trim(), k: k + 1 })).filter(({ l }) => l && !l.startsWith('#'));
  if (lines.length === 0) throw new FacekitError('BAD_ARGUMENT', `${file} is empty: expected a header such as image,${field}`);
  const header = parseCsvLine(lines[0].l).map((h) => h.toLowerCase());
  const keyCol = header.findIndex((h) => IMAGE_KEYS.includes(h) || IDENTITY_KEYS.includes(h));
  if (keyCol < 0) throw new FacekitError('BAD_ARGUMENT', `${file}:${lines[0].k}: the header needs a column ${[...IMAGE_KEYS, ...IDENTITY_KEYS].join(', ')} (got ${header.join(',')})`);
  const fieldCol = header.indexOf(field.toLowerCase());
  if (fieldCol < 0) throw new FacekitError('BAD_ARGUMENT', `${file}: no column '${field}' to group by (columns: ${header.join(', ')})`);
  const byIdentity = IDENTITY_KEYS.includes(header[keyCol]);
  const labels = new Map<string, string>();
  for (const { l, k } of lines.slice(1)) {
    const cells = parseCsvLine(l);
    if (cells.length !== header.length) throw new FacekitError('BAD_ARGUMENT', `${file}:${k}: expected ${header.length} columns (${header.join(',')}), got ${cells.length}: '${l}'`);
    const key = cells[keyCol], value = cells[fieldCol];
    if (!key) throw new FacekitError('BAD_ARGUMENT', `${file}:${k}: empty ${header[keyCol]}`);
    if (!value) continue; // unknown for this row: the image stays unlabelled
    const had = labels.get(key);
    if (had !== undefined && had !== value) throw new FacekitError('BAD_ARGUMENT', `${file}:${k}: ${key} is labelled both '${had}' and '${value}'`);
    labels.set(key, value);
  }
  if (labels.size === 0) throw new FacekitError('BAD_ARGUMENT', `${file} labels no image with '${field}'`);
  if (byIdentity) return (image) => labels.get(image.split('/')[0]);
  return (image) => labels.get(image) ?? labels.get(basename(image));
}

/**
 * Labels from file names: `pattern` is a regular expression matched against each image's file
 * name (not its folder), with a named group `(?<field>...)`; a name it does not match is
 * unlabelled. UTKFace's `<age>_<gender>_<race>_<date>.jpg` is
 * `^(?<age>\d+)_(?<gender>\d)_(?<race>\d)_`.
 */
export function groupsFromPattern(pattern: string, field: string): GroupOf {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (e) {
    throw new FacekitError('BAD_ARGUMENT', `--group-pattern is not a regular expression: ${(e as Error).message}`);
  }
  if (!new RegExp(`\\(\\?<${field.replace(/[^\w]/g, '')}>`).test(pattern) || !/^\w+$/.test(field)) {
    throw new FacekitError('BAD_ARGUMENT', `--group-pattern '${pattern}' has no named group (?<${field}>...) for the field '${field}'`);
  }
  return (image) => re.exec(basename(image))?.groups?.[field] || undefined;
}

/**
 * Numeric labels into bands: edges 18,30,45,60 give '<18', '18-29', '30-44', '45-59', '60+'.
 * A label that is not a number is BAD_ARGUMENT (bands are for numbers such as age).
 */
export function bandsOf(groupOf: GroupOf, edges: readonly number[]): GroupOf {
  if (edges.length === 0 || edges.some((e, i) => !Number.isFinite(e) || (i > 0 && e <= edges[i - 1]))) {
    throw new FacekitError('BAD_ARGUMENT', `band edges must be increasing numbers, got ${edges.join(',')}`);
  }
  return (image) => {
    const v = groupOf(image);
    if (v === undefined) return undefined;
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x)) throw new FacekitError('BAD_ARGUMENT', `${image}: label '${v}' is not a number, so it has no band`);
    if (x < edges[0]) return `<${edges[0]}`;
    for (let i = 1; i < edges.length; i++) if (x < edges[i]) return `${edges[i - 1]}-${edges[i] - 1}`;
    return `${edges[edges.length - 1]}+`;
  };
}

/** Renames labels (such as UTKFace's 0/1 genders): `0=male,1=female`; labels not named stay as they are. */
export function renameGroups(groupOf: GroupOf, names: string): GroupOf {
  const map = new Map<string, string>();
  for (const part of names.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^=]+)=(.+)$/.exec(part);
    if (!m) throw new FacekitError('BAD_ARGUMENT', `group names must read label=name,label=name (got '${part}')`);
    map.set(m[1].trim(), m[2].trim());
  }
  return (image) => {
    const v = groupOf(image);
    return v === undefined ? undefined : (map.get(v) ?? v);
  };
}

export interface GroupLabelOptions {
  /** the label to group by (a CSV column, or the pattern's named group) */
  field: string;
  /** CSV of labels; default: labels.csv inside the dataset folder, else DIR.csv beside it */
  labels?: string;
  /** a regular expression over file names with the named group (?<field>...) instead of a CSV */
  pattern?: string;
  /** band edges for a numeric field (such as age): 18,30,45,60 */
  bands?: readonly number[];
  /** label=name pairs: 0=male,1=female */
  names?: string;
}

/** Where the labels come from, as `eval verify --group-by` reads them; `dataset` is the folder (if any). */
export function groupLabels(opts: GroupLabelOptions, dataset?: string): GroupOf {
  if (!opts.field || !opts.field.trim()) throw new FacekitError('BAD_ARGUMENT', 'give the field to group by (--group-by FIELD)');
  if (opts.pattern !== undefined && opts.labels !== undefined) throw new FacekitError('BAD_ARGUMENT', 'give group labels as a CSV (--group-labels) or a file-name pattern (--group-pattern), not both');
  let groupOf: GroupOf;
  if (opts.pattern !== undefined) groupOf = groupsFromPattern(opts.pattern, opts.field);
  else {
    const candidates = opts.labels !== undefined ? [opts.labels] : dataset ? [join(dataset, 'labels.csv'), `${dataset.replace(/[\\/]+$/, '')}.csv`] : [];
    const file = candidates.find((f) => existsSync(f));
    if (!file) {
      throw new FacekitError('BAD_ARGUMENT', `no group labels for '${opts.field}': ${candidates.length ? `none of ${candidates.join(', ')} exists; ` : ''}give --group-labels FILE.csv (columns image or identity, and ${opts.field}) or --group-pattern REGEX with (?<${opts.field}>...)`);
    }
    groupOf = readGroupCsv(file, opts.field);
  }
  if (opts.bands?.length) groupOf = bandsOf(groupOf, opts.bands);
  if (opts.names) groupOf = renameGroups(groupOf, opts.names);
  return groupOf;
}

export interface GroupRates {
  group: string;
  /** genuine pairs with both faces found, both in this group */
  genuine: number;
  falseNonMatches: number;
  /** null when the group has no genuine pair */
  fnmr: number | null;
  /** impostor pairs with both faces found, both in this group */
  impostor: number;
  falseMatches: number;
  fmr: number | null;
  /** pairs of this group where a face was not found (left out of both rates) */
  noFace: number;
}

export interface Differential {
  worst: string;
  best: string;
  /** worst rate / best rate; null when the best group's rate is 0 (the ratio is unbounded) */
  ratio: number | null;
  worstRate: number;
  bestRate: number;
}

export interface GroupReport {
  field: string;
  threshold: number;
  groups: GroupRates[];
  fmr: Differential | null;
  fnmr: Differential | null;
  /** scored impostor pairs whose faces belong to two different groups: in no group's FMR */
  crossGroupImpostors: { pairs: number; falseMatches: number };
  /** scored genuine pairs whose two images carry different labels: in no group's FNMR */
  crossGroupGenuine: number;
  /** pairs with an image that has no label */
  unlabelledPairs: number;
}

function differential(groups: GroupRates[], rate: (g: GroupRates) => number | null): Differential | null {
  const rated = groups.filter((g) => rate(g) !== null).map((g) => ({ group: g.group, r: rate(g)! }));
  if (rated.length < 2) return null;
  const worst = rated.reduce((a, b) => (b.r > a.r ? b : a));
  const best = rated.reduce((a, b) => (b.r < a.r ? b : a));
  return { worst: worst.group, best: best.group, worstRate: worst.r, bestRate: best.r, ratio: best.r > 0 ? worst.r / best.r : null };
}

/** FMR and FNMR per group at `threshold` (a pair matches when distance <= threshold), and the worst-to-best ratios. */
export function groupReport(pairs: readonly ScoredPair[], groupOf: GroupOf, opts: { field: string; threshold: number }): GroupReport {
  if (!Number.isFinite(opts.threshold)) throw new FacekitError('BAD_ARGUMENT', `the group report needs a threshold, got ${opts.threshold}`);
  const byGroup = new Map<string, GroupRates>();
  const entry = (group: string) => {
    let g = byGroup.get(group);
    if (!g) byGroup.set(group, (g = { group, genuine: 0, falseNonMatches: 0, fnmr: null, impostor: 0, falseMatches: 0, fmr: null, noFace: 0 }));
    return g;
  };
  const cross = { pairs: 0, falseMatches: 0 };
  let crossGenuine = 0, unlabelled = 0;
  for (const p of pairs) {
    const a = groupOf(p.img1), b = groupOf(p.img2);
    if (a === undefined || b === undefined) { unlabelled++; continue; }
    if (a !== b) {
      if (p.distance === null) continue;
      if (p.same) crossGenuine++;
      else { cross.pairs++; if (p.distance <= opts.threshold) cross.falseMatches++; }
      continue;
    }
    const g = entry(a);
    if (p.distance === null) { g.noFace++; continue; }
    const matched = p.distance <= opts.threshold;
    if (p.same) { g.genuine++; if (!matched) g.falseNonMatches++; } else { g.impostor++; if (matched) g.falseMatches++; }
  }
  if (byGroup.size === 0) throw new FacekitError('BAD_ARGUMENT', `no pair has both images labelled with the same '${opts.field}': nothing to report per group`);
  const groups = [...byGroup.values()].sort((x, y) => x.group.localeCompare(y.group, undefined, { numeric: true }));
  for (const g of groups) {
    g.fnmr = g.genuine ? g.falseNonMatches / g.genuine : null;
    g.fmr = g.impostor ? g.falseMatches / g.impostor : null;
  }
  return {
    field: opts.field, threshold: opts.threshold, groups,
    fmr: differential(groups, (g) => g.fmr),
    fnmr: differential(groups, (g) => g.fnmr),
    crossGroupImpostors: cross, crossGroupGenuine: crossGenuine, unlabelledPairs: unlabelled,
  };
}

const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(2)}%`);
function ratioText(d: Differential | null): string {
  if (d === null) return 'n/a (fewer than two groups with pairs)';
  if (d.worstRate === d.bestRate) return d.worstRate === 0 ? 'none in any group' : '1.00 (equal in every group)';
  return d.ratio === null ? `unbounded (${d.best} has none)` : `${d.ratio.toFixed(2)} (${d.worst} / ${d.best})`;
}

/** Plain-text table for a terminal. */
export function formatGroupReport(r: GroupReport): string {
  const rows = r.groups.map((g) => `  ${g.group.padEnd(12)} FMR ${pct(g.fmr).padStart(7)} (${g.falseMatches}/${g.impostor})   FNMR ${pct(g.fnmr).padStart(7)} (${g.falseNonMatches}/${g.genuine})${g.noFace ? `   no face: ${g.noFace}` : ''}`);
  return [
    `by ${r.field} at threshold ${r.threshold.toFixed(4)} (impostor pairs within a group only):`,
    ...rows,
    `  worst/best FMR: ${ratioText(r.fmr)}; worst/best FNMR: ${ratioText(r.fnmr)}`,
    `  left out: ${r.crossGroupImpostors.pairs} impostor pairs across groups (${r.crossGroupImpostors.falseMatches} false matches), ${r.crossGroupGenuine} genuine pairs with two labels, ${r.unlabelledPairs} pairs with an unlabelled image`,
  ].join('\n');
}

export { ratioText as differentialText };
