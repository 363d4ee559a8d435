/**
 * HNSW graphs saved between runs, so opening a large SQLite gallery loads its graph instead of
 * inserting every face again (minutes at 1M faces). Per model, two files in the store's
 * graphCacheDir: `<model>.usearch` (usearch's own format) and `<model>.json` (what it was built
 * from: the store's content version, the graph settings, the label -> face id table, and the
 * SHA-256 of the graph file). Each is written to a temporary name and renamed, so a reader sees a
 * whole old file or a whole new one; a pair from two different writes fails the hash check.
 *
 * A saved graph is used only if the content version is the one the faces were just read at, the
 * settings match, the graph file's hash matches and its labels name exactly the loaded faces;
 * anything else (stale, corrupt, truncated, half-written) is ignored and the graph is rebuilt.
 * The hash is checked before usearch reads the file: usearch trusts the links it loads.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelIndex } from './vector-index.js';
import type { ContentVersion } from './types.js';

const FORMAT = 'facekit-hnsw-graph';
const FORMAT_VERSION = 1;

interface GraphMeta {
  format: string;
  formatVersion: number;
  model: string;
  content: ContentVersion;
  settings: ModelIndex['graphSettings'];
  graphSha256: string;
  /** label -> face id; null for a removed label */
  labels: (string | null)[];
}

function baseName(model: string): string {
  // readable, filesystem-safe, and distinct for model ids that sanitise alike
  const safe = model.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  return `${safe}-${createHash('sha256').update(model).digest('hex').slice(0, 10)}`;
}

export function graphFiles(dir: string, model: string): { graph: string; meta: string } {
  const b = join(dir, baseName(model));
  return { graph: `${b}.usearch`, meta: `${b}.json` };
}

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** writes the index's graph and its description; false when the index has no graph */
export async function saveGraph(dir: string, index: ModelIndex, content: ContentVersion): Promise<boolean> {
  const labels = index.graphLabels();
  if (!labels) return false;
  await mkdir(dir, { recursive: true });
  const files = graphFiles(dir, index.model);
  const tag = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmpGraph = files.graph + tag;
  const tmpMeta = files.meta + tag;
  try {
    index.saveGraph(tmpGraph);
    const meta: GraphMeta = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      model: index.model,
      content,
      settings: index.graphSettings,
      graphSha256: await fileSha256(tmpGraph),
      labels: labels.map((l) => l ?? null),
    };
    await writeFile(tmpMeta, JSON.stringify(meta));
    await rename(tmpGraph, files.graph);
    await rename(tmpMeta, files.meta);
    return true;
  } finally {
    await rm(tmpGraph, { force: true });
    await rm(tmpMeta, { force: true });
  }
}

export type GraphLoadOutcome = 'loaded' | 'missing' | 'stale' | 'corrupt';

/** loads the saved graph into `index` if it is current and intact; the outcome says why not otherwise */
export async function loadGraph(dir: string, index: ModelIndex, content: ContentVersion): Promise<GraphLoadOutcome> {
  const files = graphFiles(dir, index.model);
  let meta: GraphMeta;
  try {
    meta = JSON.parse(await readFile(files.meta, 'utf8')) as GraphMeta;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'corrupt';
  }
  if (meta?.format !== FORMAT || meta.formatVersion !== FORMAT_VERSION || meta.model !== index.model || !Array.isArray(meta.labels)) return 'corrupt';
  if (meta.content?.gallery !== content.gallery || meta.content?.faces !== content.faces) return 'stale';
  if (JSON.stringify(meta.settings) !== JSON.stringify(index.graphSettings)) return 'stale';
  let sha: string;
  try {
    sha = await fileSha256(files.graph);
  } catch {
    return 'corrupt';
  }
  if (sha !== meta.graphSha256) return 'corrupt';
  return index.loadGraph(files.graph, meta.labels) ? 'loaded' : 'stale';
}
