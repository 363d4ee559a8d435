/** Store selection from one string: `postgres://...` (or `postgresql://`), `sqlite:PATH`, or a plain file path. */
import { FacekitError } from '../errors/index.js';
import { Gallery, type GalleryOptions } from './gallery.js';
import type { GalleryStore } from './types.js';

export interface OpenGalleryOptions extends GalleryOptions {
  /** 32-byte key (64 hex digits or base64, or a Buffer); undefined = FACEKIT_GALLERY_KEY; null = off */
  encryptionKey?: string | Buffer | null;
  /** PostgreSQL pool size */
  maxConnections?: number;
  /** the collection to open (default 'default', the one every gallery had before collections); it must exist */
  collection?: string;
}

export async function openStore(url: string, opts: OpenGalleryOptions = {}): Promise<GalleryStore> {
  if (typeof url !== 'string' || url.trim() === '') throw new FacekitError('BAD_ARGUMENT', 'gallery location is empty (give a file path, sqlite:PATH or postgres://...)');
  // each store's driver (pg, better-sqlite3) loads only when a gallery of its kind is opened
  if (/^postgres(ql)?:\/\//i.test(url)) return (await import('./postgres-store.js')).PostgresStore.open(url, { encryptionKey: opts.encryptionKey, maxConnections: opts.maxConnections, collection: opts.collection });
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) throw new FacekitError('BAD_ARGUMENT', `unsupported gallery URL ${url} (file path, sqlite:PATH or postgres://...)`);
  return (await import('./sqlite-store.js')).SqliteStore.open(path, { encryptionKey: opts.encryptionKey, collection: opts.collection });
}

export async function openGallery(url: string, opts: OpenGalleryOptions = {}): Promise<Gallery> {
  return Gallery.open(await openStore(url, opts), opts);
}
