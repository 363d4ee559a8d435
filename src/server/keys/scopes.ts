import { FacekitError } from '../../errors/index.js';

/**
 * read: detect/represent/verify/identify/analyze and GET people; write: enrolment and every
 * people change; admin: key management, and implies the other two so one admin key is enough
 * to operate a server.
 */
export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function parseScopes(list: string): Scope[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new FacekitError('BAD_ARGUMENT', `a key needs at least one scope (${SCOPES.join(', ')})`);
  for (const n of names) {
    if (!(SCOPES as readonly string[]).includes(n)) throw new FacekitError('BAD_ARGUMENT', `unknown scope '${n}'; scopes are ${SCOPES.join(', ')}`);
  }
  return [...new Set(names)] as Scope[];
}

export function grants(held: readonly Scope[], needed: Scope): boolean {
  return held.includes(needed) || held.includes('admin');
}

/** A key's collections from a comma-separated list (the names are checked as the gallery checks them). */
export function parseCollections(list: string | readonly string[]): string[] {
  const names = (typeof list === 'string' ? list.split(',') : [...list]).map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new FacekitError('BAD_ARGUMENT', 'give at least one collection name');
  for (const n of names) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(n)) throw new FacekitError('BAD_ARGUMENT', `'${n}' is not a collection name (letters, digits, '.', '_', '-')`);
  }
  return [...new Set(names)];
}

/**
 * Whether a key may read and write `collection`: a key without a collection list may use every
 * collection (as keys did before collections); a key with one, only those it names.
 */
export function allowsCollection(key: { collections?: readonly string[] } | null, collection: string): boolean {
  return !key?.collections || key.collections.includes(collection);
}
