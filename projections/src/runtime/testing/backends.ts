import { randomBytes, randomUUID } from 'node:crypto';
import { type DomainEvent, type EventMetadata, schemaVersionOf, streamNameOf } from '@pti/events';
import {
  type Cache,
  createDatabase,
  createMemoryCache,
  createPgliteLedger,
  createPostgresLedger,
  createRedisCache,
  type Ledger,
  MEMORY_DATA_DIR,
  openPglite,
  type Position,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import { type ProjectionLayout, projectionLayout } from '../layout.js';

/**
 * Stores for the runtime's integration tests: PGlite always; PostgreSQL when `DATABASE_URL` is
 * set; Redis when `REDIS_URL` is set (else the memory cache). Every backend gets its own ledger
 * schema, projection namespace and Redis key prefix, all removed by `close()`.
 */
export interface TestBackend {
  readonly name: string;
  readonly ledger: Ledger;
  readonly db: TransactionalSqlExecutor;
  readonly cache: Cache;
  readonly layout: ProjectionLayout;
  /** Appends domain events (each to its own stream, `any` revision) with test metadata; resolves the last position. */
  append(
    events: readonly (DomainEvent & { readonly metadata?: Partial<EventMetadata> })[],
  ): Promise<Position | undefined>;
  close(): Promise<void>;
}

export interface TestBackendFactory {
  readonly name: string;
  open(): Promise<TestBackend>;
}

const DEFAULT_METADATA: EventMetadata = {
  tenantId: 'tenant-a',
  actor: { id: 'user-1', role: 'admin_reseau' },
  correlationId: 'corr-1',
  causationId: null,
  occurredAt: '2026-03-02T06:00:00.000Z',
  schemaVersion: 1,
};

/** Records every key written, so `close()` can delete them (the Cache port has no SCAN). */
function trackedCache(cache: Cache): Cache & { readonly written: Set<string> } {
  const written = new Set<string>();
  return {
    ...cache,
    written,
    set: (key, value, options) => {
      written.add(key);
      return cache.set(key, value, options);
    },
    setIfNewer: (key, value, version, options) => {
      written.add(key);
      return cache.setIfNewer(key, value, version, options);
    },
  };
}

function cacheFor(namespace: string): Cache & { readonly written: Set<string> } {
  const url = process.env.REDIS_URL;
  return trackedCache(
    url === undefined || url === ''
      ? createMemoryCache()
      : createRedisCache(url, { keyPrefix: `${namespace}:` }),
  );
}

export function testBackends(): TestBackendFactory[] {
  const factories: TestBackendFactory[] = [
    {
      name: 'pglite',
      open: async () => {
        const namespace = `t${randomBytes(5).toString('hex')}_`;
        const pglite = await openPglite(MEMORY_DATA_DIR);
        const ledger = createPgliteLedger({ pglite, schema: `${namespace}ledger`, pollIntervalMs: 20 });
        await ledger.migrate();
        const database = await createDatabase({ kind: 'pglite', pglite });
        return assemble('pglite', namespace, ledger, database.sql, async () => {
          await ledger.close();
          await database.close();
          await pglite.close();
        });
      },
    },
  ];
  const url = process.env.DATABASE_URL;
  if (url !== undefined && url !== '') {
    factories.push({
      name: 'postgres',
      open: async () => {
        const namespace = `t${randomBytes(5).toString('hex')}_`;
        const ledger = createPostgresLedger({
          connectionString: url,
          schema: `${namespace}ledger`,
          pollIntervalMs: 20,
        });
        await ledger.migrate();
        const database = await createDatabase({ kind: 'postgres', url, poolMax: 8 });
        return assemble('postgres', namespace, ledger, database.sql, async () => {
          await ledger.close();
          const { rows } = await database.sql.query<{ nspname: string }>(
            'select nspname from pg_namespace where starts_with(nspname, $1)',
            [namespace],
          );
          for (const row of rows) await database.sql.exec(`drop schema if exists ${row.nspname} cascade`);
          await database.close();
        });
      },
    });
  }
  return factories;
}

function assemble(
  name: string,
  namespace: string,
  ledger: Ledger,
  db: TransactionalSqlExecutor,
  closeStores: () => Promise<void>,
): TestBackend {
  const cache = cacheFor(namespace);
  return {
    name,
    ledger,
    db,
    cache,
    layout: projectionLayout(namespace),
    append: async (events) => {
      let last: Position | undefined;
      for (const event of events) {
        const result = await ledger.append(
          streamNameOf(event),
          [
            {
              id: randomUUID(),
              type: event.type,
              data: event.data,
              metadata: {
                ...DEFAULT_METADATA,
                ...event.metadata,
                schemaVersion: schemaVersionOf(event.type) ?? 1,
              },
            },
          ],
          'any',
        );
        last = result.position;
      }
      return last;
    },
    close: async () => {
      const keys = [...cache.written];
      for (let at = 0; at < keys.length; at += 1_000) await cache.del(keys.slice(at, at + 1_000));
      await cache.close();
      await closeStores();
    },
  };
}
