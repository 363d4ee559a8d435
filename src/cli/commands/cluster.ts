import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import {
  clusterFolder, clustersJson, findInFolder, isClusterMethod, mergeClusters, nameCluster, readFolderClusters, registerFolder,
  registeredFolders, splitCluster, writeContactSheet, METHODS, type ClusterMethod, type FolderClusters, type FolderOptions,
} from '../../cluster/index.js';
import { FacekitError } from '../../errors/index.js';
import { openGallery } from '../../identify/index.js';
import { addFaceOptions, faceOptionsFrom, type CliFaceOptions } from '../face-options.js';
import { progress } from '../progress.js';
import { action, printJson } from '../run.js';

interface ClusterCli extends CliFaceOptions {
  db?: string;
  collection?: string;
  out?: string;
  report?: string;
  method?: string;
  threshold?: number;
  k?: number;
  minPoints?: number;
  minQuality?: number;
  recluster?: boolean;
  cache?: string;
  dir?: string;
}

function folderOptions(o: CliFaceOptions & { cache?: string }): FolderOptions {
  // clustering and find rank by cosine distance (embeddings are unit vectors), with its calibration
  if (o.metric !== undefined && o.metric !== 'cosine') throw new FacekitError('BAD_ARGUMENT', `cluster and find use the cosine metric (got --metric ${o.metric})`);
  return { ...faceOptionsFrom(o), ...(o.cache ? { cacheDir: o.cache } : {}) };
}

function summary(r: FolderClusters): string {
  const s = r.stats;
  const lines = [
    `${s.files} images, ${s.faces} faces (${s.embedded} images embedded now, ${s.files - s.embedded - s.reused} from the cache${s.reused ? `, ${s.reused} copies reused` : ''}${s.removed ? `, ${s.removed} gone` : ''}${s.unreadable ? `, ${s.unreadable} unreadable` : ''})`,
    `${r.clusters.length} clusters (${r.method}, threshold ${r.threshold.toFixed(4)}), ${r.unclustered.length} faces unclustered (quality < ${r.minQuality})`
      + (s.newFaces ? `; ${s.newFaces} new faces: ${s.joined} joined existing clusters, ${s.newClusters} new clusters` : ''),
  ];
  for (const c of r.clusters.slice(0, 20)) {
    const files = [...new Set(c.faces.map((f) => f.file))];
    lines.push(`  ${c.id}${c.name ? ` (${c.name})` : ''}: ${c.faces.length} face${c.faces.length === 1 ? '' : 's'}  ${files.slice(0, 4).join(' ')}${files.length > 4 ? ' ...' : ''}`);
  }
  if (r.clusters.length > 20) lines.push(`  ... ${r.clusters.length - 20} more`);
  return lines.join('\n');
}

/** The folder a cluster command acts on: --dir, else the one folder clustered for --db that has the cluster. */
function folderFor(o: ClusterCli, clusterIds: string[]): { dir: string; opts: FolderOptions } {
  if (o.dir) return { dir: o.dir, opts: folderOptions(o) };
  if (!o.db) throw new FacekitError('BAD_ARGUMENT', 'give the clustered folder with --dir DIR (or --db FILE it was clustered with)');
  const hits = registeredFolders(o.db).filter((f) => {
    try {
      const { state } = readFolderClusters(f.root, { ...f.options, cacheDir: f.cacheDir });
      return clusterIds.every((id) => state.clusters.some((c) => c.id === id));
    } catch {
      return false;
    }
  });
  if (hits.length === 0) throw new FacekitError('NOT_FOUND', `no folder clustered with --db ${o.db} has cluster ${clusterIds.join(', ')}; give --dir DIR`);
  if (hits.length > 1) throw new FacekitError('CONFLICT', `cluster ${clusterIds.join(', ')} exists in several folders (${hits.map((h) => h.root).join(', ')}): give --dir DIR`);
  return { dir: hits[0].root, opts: { ...hits[0].options, ...(hits[0].cacheDir ? { cacheDir: hits[0].cacheDir } : {}) } };
}

export function registerClusterCommands(program: Command): void {
  const cluster = addFaceOptions(program.command('cluster').argument('[dir]', 'folder of photos (searched recursively)')
    .description('group every face in a folder by person (incremental, cached); subcommands name, merge, split'))
    .option('--db <file|url>', 'gallery the clusters are named into (remembers this folder for `cluster name`)')
    .option('--collection <name>', 'the collection of --db the clusters are named into (default: default)')
    .option('--out <clusters.json>', 'write the clusters as JSON (paths relative to the folder)')
    .option('--report <dir>', 'write an HTML contact sheet: one row of faces per cluster')
    .addOption(new Option('--method <method>', 'grouping method').choices([...METHODS]))
    .option('--threshold <d>', 'cosine distance for "same person" (default: the model\'s calibrated threshold)', parseFloat)
    .option('--k <n>', 'neighbours per face in the kNN graph', (v) => parseInt(v, 10))
    .option('--min-points <n>', 'DBSCAN minPts (counting the face itself)', (v) => parseInt(v, 10))
    .option('--min-quality <q>', 'faces below this quality score stay unclustered (default 0.5)', parseFloat)
    .option('--recluster', 'group every face afresh (cluster ids kept by overlap) instead of adding new faces to the clusters')
    .option('--cache <dir>', 'where the folder\'s cache goes (default DIR/.facekit)')
    .option('--dir <dir>', 'for name/merge/split: the clustered folder')
    .action(action(async (dir: string | undefined, o: ClusterCli) => {
      if (!dir) throw new FacekitError('BAD_ARGUMENT', 'give the folder to cluster: facekit cluster DIR (or a subcommand: name, merge, split)');
      if (o.method !== undefined && !isClusterMethod(o.method)) throw new FacekitError('BAD_ARGUMENT', `unknown method ${o.method}`);
      const bar = progress('embedding');
      const r = await clusterFolder(dir, {
        ...folderOptions(o), method: o.method as ClusterMethod | undefined, threshold: o.threshold, k: o.k, minPoints: o.minPoints,
        minQuality: o.minQuality, recluster: !!o.recluster, onProgress: (d, t) => t > 0 && bar.update(d, t),
      });
      bar.stop();
      if (o.db) registerFolder(o.db, { root: r.root, ...(o.cache ? { cacheDir: resolve(o.cache) } : {}), options: faceOptionsFrom(o) });
      if (o.out) writeFileSync(o.out, JSON.stringify(clustersJson(r), null, 1) + '\n');
      const sheet = o.report ? await writeContactSheet(o.report, r) : null;
      if (o.json) return printJson({ ...clustersJson(r), stats: r.stats, method: r.method, threshold: r.threshold, ...(sheet ? { report: sheet.index } : {}) });
      console.log(summary(r));
      if (o.out) console.log(`clusters written to ${o.out}`);
      if (sheet) console.log(`contact sheet: ${sheet.index}`);
    }));

  cluster.command('name <clusterId> <name>').description('enroll the cluster\'s best faces into the gallery as this person')
    .option('--best <n>', 'faces to enroll', (v) => parseInt(v, 10))
    .action(action(async (id: string, name: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals() as ClusterCli & { best?: number };
      if (!o.db) throw new FacekitError('BAD_ARGUMENT', 'give the gallery with --db FILE');
      const { dir, opts } = folderFor(o, [id]);
      const g = await openGallery(o.db, { collection: o.collection });
      try {
        const r = await nameCluster(g, dir, id, name, { ...opts, best: o.best });
        if (o.json) return printJson(r);
        console.log(`${r.created ? 'new person' : 'added to'} ${r.person.name} (${r.person.id}): ${r.enrolled.length} face${r.enrolled.length === 1 ? '' : 's'} of cluster ${id}`);
        for (const f of r.enrolled) console.log(`  ${f.file} quality ${f.quality.toFixed(2)}`);
      } finally {
        await g.close();
      }
    }));

  cluster.command('merge <clusterIds...>').description('merge clusters into the first one given')
    .action(action(async (ids: string[], _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals() as ClusterCli;
      const { dir, opts } = folderFor(o, ids);
      const r = mergeClusters(dir, ids, opts);
      const kept = r.clusters.find((c) => c.id === ids[0])!;
      if (o.json) return printJson({ cluster: kept.id, faces: kept.faces.length });
      console.log(`merged ${ids.slice(1).join(', ')} into ${kept.id}: ${kept.faces.length} faces`);
    }));

  cluster.command('split <clusterId> <faces...>').description('move faces (face ids or files relative to the folder) out of a cluster into a new one')
    .action(action(async (id: string, faces: string[], _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals() as ClusterCli;
      const { dir, opts } = folderFor(o, [id]);
      const faceIds = faces.filter((f) => /^\d+$/.test(f)).map(Number);
      const files = faces.filter((f) => !/^\d+$/.test(f));
      const r = splitCluster(dir, id, { faceIds, files }, opts);
      const made = r.clusters.clusters.find((c) => c.id === r.newId)!;
      if (o.json) return printJson({ cluster: id, newCluster: r.newId, faces: made.faces.length });
      console.log(`split ${made.faces.length} face${made.faces.length === 1 ? '' : 's'} off ${id} into ${r.newId}`);
    }));

  addFaceOptions(program.command('find <image>').description('every image in a folder showing the face in IMAGE, nearest first'))
    .requiredOption('--in <dir>', 'folder to search (its faces are cached in DIR/.facekit)')
    .option('--threshold <d>', 'cosine distance for "same person" (default: calibrated)', parseFloat)
    .option('--all', 'list images beyond the threshold too')
    .option('--top-k <n>', 'at most this many images', (v) => parseInt(v, 10))
    .option('--cache <dir>', 'where the folder\'s cache goes (default DIR/.facekit)')
    .action(action(async (image: string, o: CliFaceOptions & { in: string; threshold?: number; all?: boolean; topK?: number; cache?: string }) => {
      const bar = progress('embedding');
      const r = await findInFolder(image, o.in, {
        ...folderOptions(o), threshold: o.threshold, all: !!o.all, topK: o.topK,
        onProgress: (d, t) => t > 0 && bar.update(d, t),
      });
      bar.stop();
      if (o.json) return printJson(r);
      console.log(`${r.matches.length} image${r.matches.length === 1 ? '' : 's'} with this face among ${r.searched} faces (threshold ${r.threshold.toFixed(4)}; search ${r.ms.search.toFixed(1)} ms, folder ${r.ms.folder.toFixed(0)} ms, ${r.folder.embedded} images embedded now)`);
      for (const m of r.matches) {
        const b = m.box;
        console.log(`  ${m.file}  distance ${m.distance.toFixed(3)}  confidence ${(100 * m.confidence).toFixed(1)}%  box x=${b.x.toFixed(0)} y=${b.y.toFixed(0)} w=${b.w.toFixed(0)} h=${b.h.toFixed(0)}`);
      }
    }));
}
