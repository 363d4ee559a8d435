/**
 * sharp (libvips) is loaded on first use, not at import: it costs ~150 ms of start-up that a
 * command which never touches pixels (`--help`, `people list`, the library's import) should not pay.
 */
type Sharp = typeof import('sharp').default;

let sharp: Promise<Sharp> | null = null;

export function loadSharp(): Promise<Sharp> {
  return (sharp ??= import('sharp').then((m) => m.default));
}
