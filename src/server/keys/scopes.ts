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
