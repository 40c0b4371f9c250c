import { createHash } from 'node:crypto';
import { type TSchema, Type } from '@sinclair/typebox';
import type { CursorKey, PageRequest, PageResult } from '../ports/read-ports.js';

/**
 * Cursor pagination. A cursor is base64url of `{"v":1,"q":<query fingerprint>,"k":<keyset key>}`:
 * opaque to clients, self-contained (no server state), and bound to the query it was made for, so a
 * cursor replayed with other filters is refused (`INVALID_CURSOR`) instead of silently skipping
 * rows. It is not a secret: its key holds only the sort columns of a row the caller already saw.
 */

export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;
const MAX_CURSOR_LENGTH = 512;
const MAX_KEY_PARTS = 8;
const CURSOR_VERSION = 1;

export const PaginationQuery = {
  cursor: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: MAX_CURSOR_LENGTH,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'Opaque cursor from a previous page’s `nextCursor`',
    }),
  ),
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      default: DEFAULT_PAGE_LIMIT,
      description: `Page size; values above ${MAX_PAGE_LIMIT} are capped to ${MAX_PAGE_LIMIT}`,
    }),
  ),
};

export function pageOf<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as `cursor` for the next page; null on the last page',
    }),
  });
}

/** A stable fingerprint of the query's filters (not of its cursor or limit). */
export function queryFingerprint(filters: Readonly<Record<string, unknown>>): string {
  const canonical = JSON.stringify(
    Object.keys(filters)
      .sort()
      .filter((name) => filters[name] !== undefined)
      .map((name) => [name, filters[name]]),
  );
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 12);
}

export function encodeCursor(fingerprint: string, key: CursorKey): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, q: fingerprint, k: key }), 'utf8').toString(
    'base64url',
  );
}

function isCursorKey(value: unknown): value is CursorKey {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.length <= MAX_KEY_PARTS &&
    value.every(
      (part) =>
        (typeof part === 'string' && part.length <= 200) ||
        (typeof part === 'number' && Number.isFinite(part)),
    )
  );
}

export type CursorDecoding =
  | { readonly ok: true; readonly key: CursorKey }
  | { readonly ok: false; readonly reason: string };

export function decodeCursor(cursor: string, fingerprint: string): CursorDecoding {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'the cursor is not one this API issued' };
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return { ok: false, reason: 'the cursor is not one this API issued' };
  }
  const { v, q, k } = parsed as { v?: unknown; q?: unknown; k?: unknown };
  if (v !== CURSOR_VERSION || typeof q !== 'string' || !isCursorKey(k)) {
    return { ok: false, reason: 'the cursor is not one this API issued' };
  }
  if (q !== fingerprint) return { ok: false, reason: 'the cursor belongs to a query with other filters' };
  return { ok: true, key: k };
}

export function clampLimit(limit: number | undefined): number {
  return Math.min(Math.max(1, limit ?? DEFAULT_PAGE_LIMIT), MAX_PAGE_LIMIT);
}

/** The port's page request from the query's cursor and limit. */
export function pageRequest(
  query: { readonly cursor?: string; readonly limit?: number },
  fingerprint: string,
): { readonly ok: true; readonly page: PageRequest } | { readonly ok: false; readonly reason: string } {
  const limit = clampLimit(query.limit);
  if (query.cursor === undefined) return { ok: true, page: { after: null, limit } };
  const decoded = decodeCursor(query.cursor, fingerprint);
  return decoded.ok ? { ok: true, page: { after: decoded.key, limit } } : decoded;
}

/** The response page: items mapped, the port's next key turned into a cursor. */
export function responsePage<T, V>(
  result: PageResult<T>,
  fingerprint: string,
  view: (item: T) => V,
): { items: V[]; nextCursor: string | null } {
  return {
    items: result.items.map(view),
    nextCursor: result.next === null ? null : encodeCursor(fingerprint, result.next),
  };
}
