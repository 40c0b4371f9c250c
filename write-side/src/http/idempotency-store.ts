import { createHash } from 'node:crypto';
import type { SqlExecutor } from '@pti/platform';

/**
 * Idempotency-Key handling for POST commands (DESIGN.md §8). The first request with a key runs and its
 * answer is stored; a repeat with the same key and body gets the stored answer and appends nothing; the
 * same key with another body is refused. A request that died mid-way (its row stays `in_progress`) can be
 * taken over after `staleAfterSeconds`: its events were appended with ids derived from the key
 * (`idempotentEventId`), so the ledger reports them as duplicates rather than writing them twice.
 */
export type IdempotencyBegin =
  | { readonly outcome: 'proceed' }
  | { readonly outcome: 'replay'; readonly status: number; readonly body: unknown }
  | { readonly outcome: 'mismatch' }
  | { readonly outcome: 'in_progress' };

export interface IdempotencyStore {
  begin(tenantId: string, key: string, requestHash: string): Promise<IdempotencyBegin>;
  complete(tenantId: string, key: string, status: number, body: unknown): Promise<void>;
  /** Forgets a key whose request failed unexpectedly, so the client may retry it. */
  abandon(tenantId: string, key: string): Promise<void>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function idempotencyMigration(schema: string) {
  if (!IDENTIFIER.test(schema)) throw new Error(`invalid schema name ${schema}`);
  return [
    {
      version: 1,
      name: 'idempotency keys',
      sql: `CREATE TABLE ${schema}.idempotency_keys (
        tenant_id text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        state text NOT NULL CHECK (state IN ('in_progress', 'done')),
        response_status int,
        response_body jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, key)
      );
      CREATE INDEX idempotency_keys_created_at ON ${schema}.idempotency_keys (created_at);`,
    },
  ] as const;
}

export function createSqlIdempotencyStore(
  sql: SqlExecutor,
  schema: string,
  options: { staleAfterSeconds?: number } = {},
): IdempotencyStore {
  if (!IDENTIFIER.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const stale = options.staleAfterSeconds ?? 30;
  const table = `${schema}.idempotency_keys`;
  return {
    async begin(tenantId, key, requestHash) {
      const inserted = await sql.query(
        `INSERT INTO ${table} (tenant_id, key, request_hash, state) VALUES ($1, $2, $3, 'in_progress')
         ON CONFLICT (tenant_id, key) DO NOTHING RETURNING key`,
        [tenantId, key, requestHash],
      );
      if (inserted.rows.length === 1) return { outcome: 'proceed' };
      const { rows } = await sql.query<{
        request_hash: string;
        state: 'in_progress' | 'done';
        response_status: number | null;
        response_body: unknown;
      }>(
        `SELECT request_hash, state, response_status, response_body FROM ${table} WHERE tenant_id = $1 AND key = $2`,
        [tenantId, key],
      );
      const row = rows[0];
      if (!row) return this.begin(tenantId, key, requestHash); // abandoned in between: try again
      if (row.request_hash !== requestHash) return { outcome: 'mismatch' };
      if (row.state === 'done')
        return { outcome: 'replay', status: row.response_status ?? 200, body: row.response_body };
      const takeover = await sql.query(
        `UPDATE ${table} SET created_at = now() WHERE tenant_id = $1 AND key = $2 AND state = 'in_progress'
           AND created_at < now() - make_interval(secs => $3) RETURNING key`,
        [tenantId, key, stale],
      );
      return takeover.rows.length === 1 ? { outcome: 'proceed' } : { outcome: 'in_progress' };
    },
    async complete(tenantId, key, status, body) {
      await sql.query(
        `UPDATE ${table} SET state = 'done', response_status = $3, response_body = $4::jsonb WHERE tenant_id = $1 AND key = $2`,
        [tenantId, key, status, JSON.stringify(body ?? null)],
      );
    },
    async abandon(tenantId, key) {
      await sql.query(`DELETE FROM ${table} WHERE tenant_id = $1 AND key = $2 AND state = 'in_progress'`, [
        tenantId,
        key,
      ]);
    },
  };
}

/** Hash of what makes two requests "the same": method, route and body. */
export function requestHash(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${url}\n${JSON.stringify(body ?? null)}`)
    .digest('hex');
}

/** A uuid-shaped event id derived from the idempotency key, the stream and the event's index. */
export function idempotentEventId(tenantId: string, key: string, stream: string, index: number): string {
  const h = createHash('sha256').update(`${tenantId}\u0000${key}\u0000${stream}\u0000${index}`).digest('hex');
  // Version 5-style layout (name-based), so it is a valid uuid for the ledger's uuid column.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}
