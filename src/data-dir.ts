import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The folder for what a user makes with facekit and keeps (the default gallery, fitted
 * calibrations): `$FACEKIT_DATA_DIR`, else `$XDG_DATA_HOME/facekit` (XDG_DATA_HOME defaults to
 * ~/.local/share). Never inside the installed package, which is read-only data shared by every
 * user and replaced on upgrade. Read on every call, so a changed environment takes effect.
 */
export function facekitDataDir(): string {
  // the XDG spec treats an empty variable as unset
  return process.env.FACEKIT_DATA_DIR || join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'facekit');
}

/**
 * The folder for what facekit can make again (compiled models, evaluation caches, the scratch
 * files of large gallery indexes): `$FACEKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/facekit`
 * (XDG_CACHE_HOME defaults to ~/.cache). On disk, unlike a tmpfs /tmp.
 */
export function facekitCacheDir(): string {
  // an empty variable counts as unset (as XDG says): '' would put the compiled models in whatever
  // directory the process happens to run in
  return process.env.FACEKIT_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'facekit');
}
