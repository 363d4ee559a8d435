/**
 * Gives a face service a footage handle (`service.footage`) for the REST server's strangers,
 * sightings and search-footage routes: its own open handle on the service's gallery (SQLite file
 * or PostgreSQL URL), opened on first use. Another handle on the same gallery sees the service's
 * and the streams' writes through the gallery's change feed. An in-memory gallery cannot be
 * shared, so such a server has no footage routes (501).
 */
import { openGallery, type Gallery } from '../gallery/index.js';
import { defaultGalleryPath } from '../service/index.js';

export interface FootageService {
  gallery(): Promise<Gallery>;
  close(): Promise<void>;
}

export function withFootage<O extends { db?: string }, S extends { close?(): Promise<void> }>(
  create: (opts: O) => Promise<S>,
): (opts: O) => Promise<S & { footage: FootageService | null }> {
  return async (opts: O) => {
    const service = await create(opts);
    const db = opts.db ?? defaultGalleryPath();
    let opened: Promise<Gallery> | null = null;
    const footage: FootageService | null = db === ':memory:' ? null : {
      gallery: () => (opened ??= openGallery(db)),
      close: async () => {
        const g = opened;
        opened = null;
        if (g) await (await g).close();
      },
    };
    const close = service.close?.bind(service);
    return Object.assign(service, {
      footage,
      close: async () => {
        await footage?.close();
        await close?.();
      },
    });
  };
}
