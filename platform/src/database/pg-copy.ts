import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import type { SqlExecutor } from './sql-executor.js';

/**
 * # COPY FROM STDIN beside the SQL executor
 *
 * Bulk loads (a read model's rebuild writes millions of rows) cost PostgreSQL far less through
 * `COPY … FROM STDIN` than through multi-row INSERTs: no JSON or parameter parsing, no planner, no
 * per-row executor nodes. The transactions of `pgExecutor(pool)` (`pg.ts`) offer
 * {@link CopySqlExecutor.copyFrom}, on the transaction's own connection (so the rows commit, or
 * roll back, with everything else the transaction wrote). Code that may bulk-load checks
 * {@link supportsCopy} and keeps its INSERT path otherwise (PGlite, other executors).
 */
export interface CopySqlExecutor extends SqlExecutor {
  /**
   * Runs `statement` (a `COPY … FROM STDIN`, text or csv format) and streams `data` to it, chunk by
   * chunk with back-pressure. Returns the rows copied. A failure (bad row, unique violation) rejects
   * and, as any failed statement, aborts the enclosing transaction (use a savepoint to recover).
   */
  copyFrom(statement: string, data: Iterable<string | Uint8Array>): Promise<number>;
}

export function supportsCopy(executor: SqlExecutor): executor is CopySqlExecutor {
  return typeof (executor as Partial<CopySqlExecutor>).copyFrom === 'function';
}

/** Runs a `COPY … FROM STDIN` on `client` and streams `data` to it (see {@link CopySqlExecutor.copyFrom}). */
export async function copyOn(
  client: pg.PoolClient,
  statement: string,
  data: Iterable<string | Uint8Array>,
): Promise<number> {
  const stream = client.query(copyFromStdin(statement));
  let failure: Error | undefined;
  const failed = new Promise<never>((_, reject) => {
    stream.once('error', (error: Error) => {
      failure = error;
      reject(error);
    });
  });
  // Only observed through `Promise.race` below; keeps an early error from being reported unhandled.
  failed.catch(() => undefined);
  for (const chunk of data) {
    if (failure !== undefined) break;
    if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), failed]);
  }
  if (failure !== undefined) throw failure;
  stream.end();
  await Promise.race([once(stream, 'finish'), failed]);
  return stream.rowCount;
}
