/**
 * The gallery: a store (SQLite or PostgreSQL) plus one in-memory vector index per recognition
 * model, built from the store at open and kept in step with every write made through it and, for
 * PostgreSQL, with every change other processes publish.
 */
import { FacekitError } from '../errors/index.js';
import { checkPersonRule, rankPeople, type PersonRule, type PersonScore } from './decision.js';
import { loadGraph, saveGraph, type GraphLoadOutcome } from './graph-cache.js';
import type { Collection, CollectionSettings, ContentVersion, FaceRecord, GalleryChange, GalleryStore, Metadata, NewFace, NewPerson, Page, Person } from './types.js';
import { PersonTemplates } from './templates.js';
import { checkEmbedding, checkNewFaces } from './validate.js';
import { ModelIndex, type IndexOptions, type Metric } from './vector-index.js';

export interface GalleryOptions {
  index?: IndexOptions;
  /**
   * Save HNSW graphs beside a SQLite file (in `<file>-graphs/`) at close and after a build, and
   * load them at open instead of rebuilding (default true). Never for an encrypted gallery (the
   * graph holds int8 copies of the embeddings) nor for PostgreSQL (see README.md).
   */
  graphCache?: boolean;
}

/** where a model's HNSW graph came from at open: loaded from the cache, or built (and why) */
export type GraphOrigin = 'loaded' | `built (${Exclude<GraphLoadOutcome, 'loaded'> | 'no cache'})`;

export interface SearchOptions {
  /** face candidates returned (default 10) */
  topK?: number;
  metric?: Metric;
  /** force a full scan even when the HNSW graph is in use */
  exact?: boolean;
  /** per-person decision rule (default DEFAULT_PERSON_RULE, 'template') */
  rule?: PersonRule;
}

export interface FaceCandidate {
  faceId: string;
  personId: string;
  name: string;
  distance: number;
}

export interface PersonCandidate extends PersonScore {
  name: string;
}

export interface SearchResult {
  /** nearest faces, nearest first */
  candidates: FaceCandidate[];
  /** people among the candidates, scored by `rule`, best first */
  people: PersonCandidate[];
}

export interface IdentifyOptions extends Omit<SearchOptions, 'topK'> {
  /** the largest distance still accepted as a match (from calibration) */
  threshold: number;
  /** faces examined to rank people (default 20) */
  topK?: number;
}

export class Gallery {
  readonly store: GalleryStore;
  private readonly indexOpts: IndexOptions;
  private readonly indexes = new Map<string, ModelIndex>();
  private readonly names = new Map<string, string>();
  /** personId -> its face ids, for rules that need every face of a candidate person */
  private readonly personFaces = new Map<string, Set<string>>();
  /** per-person templates, derived from the indexed faces (templates.ts) */
  private readonly templates = new PersonTemplates();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  private readonly graphCacheDir: string | null;
  /** the store's content version when the index was loaded (null: unknown, graphs not saved) */
  private content: ContentVersion | null = null;
  /** face rows this instance has inserted or deleted since; with `content`, what the version should now be */
  private ownFaceChanges = 0;
  /** models whose graph changed since it was loaded or saved */
  private readonly dirtyGraphs = new Set<string>();
  private readonly graphOrigins = new Map<string, GraphOrigin>();

  private constructor(store: GalleryStore, opts: GalleryOptions) {
    this.store = store;
    this.indexOpts = opts.index ?? {};
    const cacheable = opts.graphCache !== false && !store.encrypted && typeof store.contentVersion === 'function';
    this.graphCacheDir = cacheable ? (store.graphCacheDir ?? null) : null;
  }

  static async open(store: GalleryStore, opts: GalleryOptions = {}): Promise<Gallery> {
    const g = new Gallery(store, opts);
    // subscribe first, so changes committed while loading are replayed after it (adds/removes are idempotent)
    store.onChange?.((c) => g.enqueue(() => g.applyChange(c)));
    try {
      await g.enqueue(() => g.loadAll());
    } catch (e) {
      await store.close();
      throw e;
    }
    return g;
  }

  // ---- people -------------------------------------------------------------------------------

  async createPerson(name: string, metadata: Metadata = {}, opts: { id?: string; created?: string } = {}): Promise<Person> {
    const p = await this.store.createPerson({ id: opts.id, created: opts.created, name, metadata });
    this.names.set(p.id, p.name);
    return p;
  }

  /** a new person with their faces, in one transaction */
  async enrollPerson(person: NewPerson, faces: NewFace[]): Promise<{ person: Person; faces: FaceRecord[] }> {
    checkNewFaces(faces);
    this.checkDims(faces);
    const r = await this.store.enrollPerson(person, faces);
    this.ownFaceChanges += r.faces.length;
    this.names.set(r.person.id, r.person.name);
    this.indexFaces(r.faces);
    return r;
  }

  getPerson(id: string): Promise<Person> {
    return this.store.getPerson(id);
  }

  listPeople(opts?: { offset?: number; limit?: number }): Promise<Page<Person>> {
    return this.store.listPeople(opts);
  }

  async renamePerson(id: string, name: string): Promise<Person> {
    const p = await this.store.renamePerson(id, name);
    this.names.set(p.id, p.name);
    return p;
  }

  setMetadata(id: string, metadata: Metadata): Promise<Person> {
    return this.store.setMetadata(id, metadata);
  }

  async deletePerson(id: string): Promise<{ faceIds: string[] }> {
    const r = await this.store.deletePerson(id);
    this.ownFaceChanges += r.faceIds.length;
    this.unindexPerson(id, r.faceIds);
    return r;
  }

  // ---- faces --------------------------------------------------------------------------------

  async addFaces(personId: string, faces: NewFace[]): Promise<FaceRecord[]> {
    checkNewFaces(faces);
    this.checkDims(faces);
    const added = await this.store.addFaces(personId, faces);
    this.ownFaceChanges += added.length;
    this.indexFaces(added);
    return added;
  }

  listFaces(personId: string): Promise<FaceRecord[]> {
    return this.store.listFaces(personId);
  }

  async deleteFace(id: string): Promise<FaceRecord> {
    const f = await this.store.deleteFace(id);
    this.ownFaceChanges += 1;
    this.unindexFace(f.id);
    return f;
  }

  // ---- collections --------------------------------------------------------------------------

  /** the collection this gallery reads and writes */
  get collection(): string {
    return this.store.collection;
  }

  /** this gallery's collection: its model and settings (fitted calibrations, crop keeping) */
  collectionInfo(): Promise<Collection> {
    return this.store.getCollection(this.store.collection);
  }

  /** every collection in the database */
  listCollections(): Promise<Collection[]> {
    return this.store.listCollections();
  }

  createCollection(c: { name: string; model?: string | null; settings?: CollectionSettings }): Promise<Collection> {
    return this.store.createCollection(c);
  }

  updateCollection(name: string, patch: { model?: string | null; settings?: CollectionSettings }): Promise<Collection> {
    return this.store.updateCollection(name, patch);
  }

  /** removes a collection with its people, faces and kept crops in one transaction; galleries open on it find it empty */
  async deleteCollection(name: string): Promise<{ people: number; faces: number }> {
    const r = await this.store.deleteCollection(name);
    if (name === this.store.collection) await this.reload();
    return r;
  }

  /** rebuilds the index from the store (after a change this instance made behind the index, such as a model move) */
  reload(): Promise<void> {
    return this.enqueue(() => this.loadAll());
  }

  // ---- search -------------------------------------------------------------------------------

  /** the models that have faces in the index, with their sizes */
  models(): { model: string; dims: number; faces: number; hnsw: boolean; graphOrigin: GraphOrigin | null }[] {
    return [...this.indexes.values()].map((i) => ({ model: i.model, dims: i.dims, faces: i.size, hnsw: i.usingHnsw, graphOrigin: i.usingHnsw ? (this.graphOrigins.get(i.model) ?? null) : null }));
  }

  search(model: string, vector: Float32Array, opts: SearchOptions = {}): SearchResult {
    checkEmbedding(vector, 'query');
    const topK = opts.topK ?? 10;
    if (!Number.isInteger(topK) || topK < 1) throw new FacekitError('BAD_ARGUMENT', `topK must be a positive integer, got ${topK}`);
    const rule = checkPersonRule(opts.rule);
    const index = this.indexes.get(model);
    if (!index || index.size === 0) return { candidates: [], people: [] };
    const hits = index.search(vector, topK, { metric: opts.metric, exact: opts.exact });
    const candidates = hits.map((h) => ({ ...h, name: this.names.get(h.personId) ?? '' }));
    const ranked = rankPeople(vector, hits, rule, { index, personFaces: this.personFaces, templates: this.templates, metric: opts.metric });
    const people = ranked.map((s) => ({ ...s, name: this.names.get(s.personId) ?? '' }));
    return { candidates, people };
  }

  /**
   * Open-set identification: the best-scoring person, or null when even they are farther than
   * `threshold` (or the gallery has no faces for the model).
   */
  identifyEmbedding(model: string, vector: Float32Array, opts: IdentifyOptions): PersonCandidate | null {
    if (typeof opts?.threshold !== 'number' || !Number.isFinite(opts.threshold)) {
      throw new FacekitError('BAD_ARGUMENT', 'identifyEmbedding needs a numeric threshold (from calibration)');
    }
    const best = this.search(model, vector, { ...opts, topK: opts.topK ?? 20 }).people[0];
    return best && best.distance <= opts.threshold ? best : null;
  }

  /** a person's template for a model (decision.ts 'template' rule), or null when they have no face for it */
  personTemplate(model: string, personId: string): Float32Array | null {
    const index = this.indexes.get(model);
    return index ? this.templates.template(index, personId, this.personFaces.get(personId) ?? []) : null;
  }

  /** resolves once every change received so far from other processes is in the index */
  async settled(): Promise<void> {
    await this.queue;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.saveGraphs().catch((e) => process.emitWarning(`facekit gallery: saving the HNSW graph failed: ${(e as Error).message}`));
    await this.store.close();
    // frees the vectors (an index with `vectors: 'file'` holds a scratch file's descriptor)
    for (const idx of this.indexes.values()) idx.close();
  }

  // ---- index maintenance ---------------------------------------------------------------------

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch((e) => {
      if (!this.closed) process.emitWarning(`facekit gallery: applying a change failed: ${(e as Error).message}`);
    });
    return run;
  }

  private async loadAll(): Promise<void> {
    for (const idx of this.indexes.values()) idx.close();
    this.indexes.clear();
    this.names.clear();
    this.personFaces.clear();
    this.templates.clear();
    this.graphOrigins.clear();
    this.dirtyGraphs.clear();
    const dir = this.graphCacheDir;
    const before = dir ? await this.store.contentVersion!() : null;
    for await (const people of this.store.allPeople()) for (const p of people) this.names.set(p.id, p.name);
    for await (const faces of this.store.allFaces()) this.indexFaces(faces, true);
    const after = dir ? await this.store.contentVersion!() : null;
    // a write by another process while reading: what was read has no single version to save under
    this.content = before && after && before.gallery === after.gallery && before.faces === after.faces ? after : null;
    this.ownFaceChanges = 0;
    for (const idx of this.indexes.values()) {
      if (!idx.wantsHnsw) continue;
      const outcome = dir && this.content ? await loadGraph(dir, idx, this.content) : 'no cache';
      if (outcome === 'loaded') {
        this.graphOrigins.set(idx.model, 'loaded');
        continue;
      }
      idx.ensureGraph();
      this.graphOrigins.set(idx.model, `built (${outcome})`);
      this.dirtyGraphs.add(idx.model);
    }
    // save what was just built now, not only at close: a crash must not cost the next open a rebuild
    await this.saveGraphs().catch((e) => process.emitWarning(`facekit gallery: saving the HNSW graph failed: ${(e as Error).message}`));
  }

  /** saves changed graphs, if no other process has changed the faces since they were loaded */
  private async saveGraphs(): Promise<void> {
    const dir = this.graphCacheDir;
    if (!dir || !this.content || this.dirtyGraphs.size === 0) return;
    const now = await this.store.contentVersion!();
    // someone else wrote faces this index has not seen: a graph saved now would be stale; the next open rebuilds
    if (now.gallery !== this.content.gallery || now.faces !== this.content.faces + this.ownFaceChanges) return;
    for (const model of [...this.dirtyGraphs]) {
      const idx = this.indexes.get(model);
      if (idx?.usingHnsw) await saveGraph(dir, idx, now);
      this.dirtyGraphs.delete(model);
    }
    this.content = now;
    this.ownFaceChanges = 0;
  }

  private checkDims(faces: NewFace[]): void {
    for (const f of faces) {
      const idx = this.indexes.get(f.model);
      if (idx && idx.dims !== f.embedding.length) {
        throw new FacekitError('BAD_ARGUMENT', `model ${f.model} embeddings have ${idx.dims} dimensions, got ${f.embedding.length}`);
      }
    }
  }

  /** `deferGraph`: while loading, the graph is loaded from the cache or built once at the end */
  private indexFaces(faces: FaceRecord[], deferGraph = false): void {
    const byModel = new Map<string, FaceRecord[]>();
    for (const f of faces) {
      if (!byModel.has(f.model)) byModel.set(f.model, []);
      byModel.get(f.model)!.push(f);
    }
    for (const [model, list] of byModel) {
      let idx = this.indexes.get(model);
      if (!idx) {
        idx = new ModelIndex(model, list[0].dims, this.indexOpts);
        this.indexes.set(model, idx);
      }
      const hadGraph = idx.usingHnsw;
      idx.add(
        list.map((f) => ({ faceId: f.id, personId: f.personId, vector: f.embedding })),
        { deferGraph },
      );
      if (idx.usingHnsw) {
        this.dirtyGraphs.add(model);
        if (!hadGraph) this.graphOrigins.set(model, 'built (no cache)');
      }
      for (const f of list) {
        let set = this.personFaces.get(f.personId);
        if (!set) this.personFaces.set(f.personId, (set = new Set()));
        set.add(f.id);
      }
      this.templates.noteFaces(list);
    }
  }

  private unindexFace(faceId: string): void {
    for (const idx of this.indexes.values()) {
      const personId = idx.personOf(faceId);
      if (!idx.remove(faceId)) continue;
      if (personId) this.personFaces.get(personId)?.delete(faceId);
      this.templates.forgetFace(faceId, personId);
      if (idx.usingHnsw) this.dirtyGraphs.add(idx.model);
    }
  }

  private unindexPerson(personId: string, faceIds: string[]): void {
    for (const id of faceIds) this.unindexFace(id);
    for (const id of this.personFaces.get(personId) ?? []) this.unindexFace(id);
    this.personFaces.delete(personId);
    this.templates.forgetPerson(personId);
    this.names.delete(personId);
  }

  private async applyChange(c: GalleryChange): Promise<void> {
    if (this.closed || c.origin === this.store.instanceId) return;
    switch (c.op) {
      case 'person': {
        const p = await this.store.findPerson(c.personId);
        if (p) this.names.set(p.id, p.name);
        return;
      }
      case 'person-deleted':
        this.unindexPerson(c.personId, c.faceIds);
        return;
      case 'faces-added': {
        const faces = await this.store.getFacesByIds(c.faceIds);
        for (const pid of new Set(faces.map((f) => f.personId))) {
          if (!this.names.has(pid)) {
            const p = await this.store.findPerson(pid);
            if (p) this.names.set(p.id, p.name);
          }
        }
        this.indexFaces(faces);
        return;
      }
      case 'face-deleted':
        this.unindexFace(c.faceId);
        return;
      case 'resync':
        await this.loadAll();
        return;
    }
  }
}
