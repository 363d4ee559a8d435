/**
 * Files a client names (deepface's image paths, video sources) are read only inside the
 * operator's image root, judged on real paths: a symbolic link inside the root that points out of
 * it is outside. A refusal carries its reason so the client is told the path was refused and why,
 * without learning whether anything exists outside the root.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';

export type RootedPath = { path: string } | { refused: string };

const within = (dir: string, p: string): boolean => p === dir || p.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** The real path of `p` (absolute, or relative to `root`) when it is a regular file under `root`. */
export async function fileUnderRoot(root: string, p: string): Promise<RootedPath> {
  if (p.includes('\0')) return { refused: 'it contains a NUL byte' };
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return { refused: "the image root does not exist" };
  }
  const named = isAbsolute(p) ? resolve(p) : resolve(realRoot, p);
  if (!within(realRoot, named) && !within(resolve(root), named)) return { refused: "it is outside the image root" };
  let real: string;
  try {
    real = await realpath(named);
  } catch {
    return { refused: "no such file under the image root" };
  }
  if (!within(realRoot, real)) return { refused: "it leads outside the image root (through a symbolic link)" };
  const s = await stat(real);
  if (s.isDirectory()) return { refused: 'it is a directory, not a file' };
  if (!s.isFile()) return { refused: 'it is not a regular file' };
  return { path: real };
}
