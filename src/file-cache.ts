/**
 * Files read once per version: a file's stamp (inode, size, modification time) changes whenever it
 * is rewritten, atomically by rename or in place, so a parse kept under its stamp is re-read exactly
 * when the file changed. Used for what a hot path looks up on every call (calibrations, heads) and
 * to notice another process's write (the API key file).
 */
import { statSync } from 'node:fs';

/** The file's stamp, or null when it does not exist. */
export function fileStamp(path: string): string | null {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Parsed files by path, each re-parsed only when its stamp changes. */
export class ParsedFiles<T> {
  private readonly entries = new Map<string, { stamp: string; value: T }>();

  /** the parse of `path` (run again only if the file changed), or undefined when the file cannot be looked at (missing) */
  get(path: string, parse: (path: string) => T): T | undefined {
    let stamp: string | null;
    try {
      stamp = fileStamp(path);
    } catch {
      stamp = null; // as existsSync: a path that cannot be looked at is missing
    }
    if (stamp === null) return undefined;
    const hit = this.entries.get(path);
    if (hit?.stamp === stamp) return hit.value;
    const value = parse(path);
    this.entries.set(path, { stamp, value });
    return value;
  }
}
