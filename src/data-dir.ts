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
