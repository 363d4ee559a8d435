import { isFacekitError } from '../errors/index.js';

/**
 * Every command's action goes through here: a FacekitError becomes one plain line on stderr
 * and exit code 2 (bad input or missing resource); anything else is a bug and keeps its stack.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (isFacekitError(e)) {
        process.stderr.write(`facekit: ${e.message} [${e.code}]\n`);
        process.exit(2);
      }
      throw e;
    }
  };
}

export function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v)}\n`);
}
