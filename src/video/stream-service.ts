/**
 * Gives a face service a stream watcher (`service.streams`) for the REST server's /v1/streams
 * routes. The watcher's workers open the same gallery as the service (SQLite file or PostgreSQL
 * URL); an in-memory gallery cannot be shared, so its streams report strangers only.
 */
import { defaultGalleryPath } from '../service/index.js';
import { StreamManager, type StreamManagerOptions } from './stream-manager.js';

export function withStreams<O extends { db?: string }, S extends { close?(): Promise<void> }>(
  create: (opts: O) => Promise<S>,
  managerOptions: Omit<StreamManagerOptions, 'db'> = {},
): (opts: O) => Promise<S & { streams: StreamManager }> {
  return async (opts: O) => {
    const service = await create(opts);
    const streams = new StreamManager({ ...managerOptions, db: opts.db ?? defaultGalleryPath() });
    const close = service.close?.bind(service);
    return Object.assign(service, {
      streams,
      close: async () => {
        await streams.close();
        await close?.();
      },
    });
  };
}
