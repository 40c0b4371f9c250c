import { randomBytes } from 'node:crypto';
import {
  comparePositions,
  createPgliteLedger,
  createPgPool,
  createPostgresLedger,
  type Ledger,
  MEMORY_DATA_DIR,
  openPglite,
  type Position,
  pgExecutor,
  pgliteExecutor,
  START,
  type TransactionalSqlExecutor,
} from '@pti/platform';

/**
 * The stores the sagas' tests run on: an in-memory PGlite (ledger and sagas tables in one
 * instance, as in embedded mode), and PostgreSQL when `DATABASE_URL` is set; each opening gets a
 * fresh pair of schemas (ledger, sagas), dropped on close.
 */
export interface TestStores {
  readonly kind: 'pglite' | 'postgres';
  readonly ledger: Ledger;
  readonly sql: TransactionalSqlExecutor;
  readonly schema: string;
  /** Position of the last event appended through `ledger` (settle with `until: stores.head`). */
  head(): Position;
  /** Another connection pool on the same database (PostgreSQL only): a second process. */
  openSecondSql?(): Promise<{ readonly sql: TransactionalSqlExecutor; close(): Promise<void> }>;
  close(): Promise<void>;
}

export interface TestBackend {
  readonly name: 'pglite' | 'postgres';
  open(): Promise<TestStores>;
}

const suffix = () => randomBytes(5).toString('hex');

/** The ledger, remembering the furthest position it appended. */
function tracked(ledger: Ledger): { readonly ledger: Ledger; head(): Position } {
  let head: Position = START;
  return {
    head: () => head,
    ledger: {
      kind: ledger.kind,
      append: async (stream, events, expected) => {
        const result = await ledger.append(stream, events, expected);
        if (comparePositions(result.position, head) > 0) head = result.position;
        return result;
      },
      readStream: (stream, options) => ledger.readStream(stream, options),
      streamRevision: (stream) => ledger.streamRevision(stream),
      readAll: (options) => ledger.readAll(options),
      subscribe: (options, handler) => ledger.subscribe(options, handler),
      ping: () => ledger.ping(),
      close: () => ledger.close(),
    },
  };
}

// One PGlite per test file (starting one costs seconds); each opening gets its own schemas.
let sharedPglite: ReturnType<typeof openPglite> | null = null;

async function openPgliteStores(): Promise<TestStores> {
  sharedPglite ??= openPglite(MEMORY_DATA_DIR);
  const pglite = await sharedPglite;
  const id = suffix();
  const ledgerSchema = `t_ledger_${id}`;
  const schema = `t_sagas_${id}`;
  const raw = createPgliteLedger({ pglite, schema: ledgerSchema, pollIntervalMs: 20 });
  await raw.migrate();
  const { ledger, head } = tracked(raw);
  const sql = pgliteExecutor(pglite);
  return {
    kind: 'pglite',
    ledger,
    head,
    sql,
    schema,
    async close() {
      await ledger.close();
      await sql.exec(
        `drop schema if exists ${schema} cascade; drop schema if exists ${ledgerSchema} cascade`,
      );
    },
  };
}

/** Closes the file's shared PGlite (call it in `afterAll`). */
export async function closeTestStores(): Promise<void> {
  const pending = sharedPglite;
  sharedPglite = null;
  if (pending !== null) await (await pending).close();
}

async function openPostgresStores(url: string): Promise<TestStores> {
  const id = suffix();
  const ledgerSchema = `t_ledger_${id}`;
  const schema = `t_sagas_${id}`;
  const raw = createPostgresLedger({
    connectionString: url,
    schema: ledgerSchema,
    pollIntervalMs: 20,
    poolMax: 4,
  });
  await raw.migrate();
  const { ledger, head } = tracked(raw);
  const pool = createPgPool({ url, max: 6, applicationName: 'pti-sagas-test' });
  const extraPools: { end(): Promise<void> }[] = [];
  return {
    kind: 'postgres',
    ledger,
    head,
    sql: pgExecutor(pool),
    schema,
    async openSecondSql() {
      const second = createPgPool({ url, max: 6, applicationName: 'pti-sagas-test-2' });
      extraPools.push(second);
      return { sql: pgExecutor(second), close: () => second.end() };
    },
    async close() {
      await ledger.close();
      await pool.query(`drop schema if exists ${schema} cascade`);
      await pool.query(`drop schema if exists ${ledgerSchema} cascade`);
      await pool.end();
      for (const extra of extraPools) await extra.end().catch(() => undefined);
    },
  };
}

/** PGlite always; PostgreSQL when `DATABASE_URL` is set. */
export function testBackends(): TestBackend[] {
  const backends: TestBackend[] = [{ name: 'pglite', open: openPgliteStores }];
  const url = process.env.DATABASE_URL;
  if (url !== undefined && url !== '')
    backends.push({ name: 'postgres', open: () => openPostgresStores(url) });
  return backends;
}
