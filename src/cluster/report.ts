/**
 * The contact sheet: one row of face thumbnails per cluster, largest cluster first, then the
 * unclustered faces. Thumbnails are the face box with a margin, cut from the photo (EXIF-rotated,
 * as the boxes are) and written beside the page, so the report folder stands alone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSharp } from '../image/sharp.js';
import { escapeXml } from '../eval/index.js';
import type { Box } from '../face.js';
import type { ClusterFace, FolderClusters } from './cluster-folder.js';

export interface ContactSheetOptions {
  /** thumbnail edge in pixels (default 96) */
  thumbSize?: number;
  /** most thumbnails per row (default 40; the row says how many more) */
  perRow?: number;
}

async function faceThumb(src: string, box: Box, dest: string, size: number): Promise<boolean> {
  const sharp = await loadSharp();
  try {
    const img = sharp(src).rotate();
    const { data, info } = await img.toBuffer({ resolveWithObject: true });
    const m = 0.25 * Math.max(box.w, box.h);
    const left = Math.max(0, Math.floor(box.x - m));
    const top = Math.max(0, Math.floor(box.y - m));
    const width = Math.max(1, Math.min(info.width - left, Math.ceil(box.w + 2 * m)));
    const height = Math.max(1, Math.min(info.height - top, Math.ceil(box.h + 2 * m)));
    await sharp(data).extract({ left, top, width, height }).resize(size, size, { fit: 'cover' }).jpeg({ quality: 80 }).toFile(dest);
    return true;
  } catch {
    return false; // unreadable or gone since it was clustered: the sheet shows the file name instead
  }
}

export async function writeContactSheet(dir: string, r: FolderClusters, opts: ContactSheetOptions = {}): Promise<{ index: string; thumbnails: number }> {
  const size = opts.thumbSize ?? 96;
  const perRow = opts.perRow ?? 40;
  mkdirSync(join(dir, 'thumbs'), { recursive: true });
  let thumbnails = 0;
  const cell = async (f: ClusterFace): Promise<string> => {
    const name = `thumbs/face-${f.faceId}.jpg`;
    const title = escapeXml(`${f.file} (quality ${f.quality.toFixed(2)})`);
    if (await faceThumb(join(r.root, f.file), f.box, join(dir, name), size)) {
      thumbnails++;
      return `<img src="${name}" width="${size}" height="${size}" title="${title}" alt="${title}">`;
    }
    return `<span class="missing" title="${title}">${escapeXml(f.file)}</span>`;
  };
  const row = async (label: string, faces: ClusterFace[]): Promise<string> => {
    const cells: string[] = [];
    for (const f of faces.slice(0, perRow)) cells.push(await cell(f));
    const more = faces.length > perRow ? `<span class="more">+${faces.length - perRow} more</span>` : '';
    return `<tr><th>${label}<br><small>${faces.length} face${faces.length === 1 ? '' : 's'}</small></th><td>${cells.join('')}${more}</td></tr>`;
  };
  const rows: string[] = [];
  for (const c of r.clusters) rows.push(await row(`${escapeXml(c.id)}${c.name ? `<br>${escapeXml(c.name)}` : ''}`, c.faces));
  if (r.unclustered.length) rows.push(await row('unclustered<br><small>below the quality bar</small>', r.unclustered));
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>facekit clusters: ${escapeXml(r.root)}</title>
<style>
body { font-family: sans-serif; margin: 1em; }
table { border-collapse: collapse; }
th { text-align: left; vertical-align: top; padding: 4px 8px; white-space: nowrap; }
td { padding: 4px; border-top: 1px solid #ddd; }
td img { margin: 1px; border-radius: 3px; }
.missing { display: inline-block; width: ${size}px; font-size: 10px; color: #a00; overflow: hidden; }
.more { color: #666; margin-left: 6px; }
</style></head><body>
<h1>Clusters of ${escapeXml(r.root)}</h1>
<p>${r.clusters.length} clusters, ${r.clusters.reduce((s, c) => s + c.faces.length, 0)} faces clustered, ${r.unclustered.length} unclustered.
Model ${escapeXml(r.model)}, method ${escapeXml(r.method)}, cosine threshold ${r.threshold.toFixed(4)}, quality bar ${r.minQuality}.</p>
<table>
${rows.join('\n')}
</table>
</body></html>
`;
  const index = join(dir, 'index.html');
  writeFileSync(index, html);
  return { index, thumbnails };
}
