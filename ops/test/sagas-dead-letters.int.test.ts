import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AppConfig,
  createPgPool,
  loadConfig,
  openPglite,
  pgExecutor,
  pgliteExecutor,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import {
  claimDueTimers,
  deadLetterTimer,
  listTimers,
  migrateRuntime,
  sagasSchemaFor,
  scheduleTimer,
} from '@pti/sagas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sagasDeadLettersCommand } from '../src/commands/sagas-dead-letters-command.js';

/**
 * `pti sagas dead-letters list | retry | discard`, called as a function against an embedded data
 * directory, and against PostgreSQL when DATABASE_URL is set (its own schemas, dropped after).
 */
interface Target {
  readonly name: string;
  setUp(): Promise<{
    config: AppConfig;
    open(): Promise<{ sql: TransactionalSqlExecutor; close(): Promise<void> }>;
  }>;
  tearDown(): Promise<void>;
}

const NOW = new Date('2026-06-15T08:00:00.000Z');

function pgliteTarget(): Target {
  let dir = '';
  return {
    name: 'pglite',
    async setUp() {
      dir = await mkdtemp(join(tmpdir(), 'pti-sagas-'));
      const config = loadConfig({ PTI_DATA_DIR: dir, LOG_LEVEL: 'silent' });
      return {
        config,
        async open() {
          const pglite = await openPglite(join(dir, 'pglite'));
          return { sql: pgliteExecutor(pglite), close: () => pglite.close() };
        },
      };
    },
    tearDown: () => rm(dir, { recursive: true, force: true }),
  };
}

function postgresTarget(url: string): Target {
  const ledgerSchema = `t_ops_${randomBytes(4).toString('hex')}`;
  return {
    name: 'postgres',
    async setUp() {
      const config = loadConfig({ DATABASE_URL: url, PTI_DB_SCHEMA: ledgerSchema, LOG_LEVEL: 'silent' });
      return {
        config,
        async open() {
          const pool = createPgPool({ url, max: 2 });
          return { sql: pgExecutor(pool), close: () => pool.end() };
        },
      };
    },
    async tearDown() {
      const pool = createPgPool({ url, max: 1 });
      await pool.query(`drop schema if exists ${sagasSchemaFor(ledgerSchema)} cascade`);
      await pool.end();
    },
  };
}

const targets: Target[] = [pgliteTarget()];
const url = process.env.DATABASE_URL;
if (url !== undefined && url !== '') targets.push(postgresTarget(url));

describe.each(targets)('pti sagas dead-letters on $name', (target) => {
  let config: AppConfig;
  let open: () => Promise<{ sql: TransactionalSqlExecutor; close(): Promise<void> }>;
  let schema: string;

  /** Dead-letters one `adelsoft/sync` job per key, as the runtime does after the last attempt. */
  async function seed(keys: readonly string[]): Promise<void> {
    const store = await open();
    try {
      await migrateRuntime(store.sql, schema);
      // Only these jobs: a timer retried by an earlier case would be claimed again.
      await store.sql.query(`delete from ${schema}.timers`);
      for (const key of keys) {
        await scheduleTimer(
          store.sql,
          schema,
          { saga: 'adelsoft', kind: 'sync', key, dueAt: NOW, payload: { bookingId: key }, maxAttempts: 1 },
          NOW,
        );
      }
      const claimed = await claimDueTimers(store.sql, schema, {
        now: NOW,
        limit: 10,
        leaseMs: 60_000,
        sagas: ['adelsoft'],
      });
      for (const timer of claimed)
        await deadLetterTimer(store.sql, schema, timer, 'AdelsoftError: HTTP 503', NOW);
    } finally {
      await store.close();
    }
  }

  const run = async (action: 'list' | 'retry' | 'discard', ids: string[], options = {}) => {
    const lines: string[] = [];
    const code = await sagasDeadLettersCommand(action, ids, options, (line) => lines.push(line), {
      config,
      now: () => NOW,
    });
    return { code, text: lines.join('\n') };
  };

  beforeAll(async () => {
    const setUp = await target.setUp();
    config = setUp.config;
    open = setUp.open;
    schema = config.ledger.kind === 'eventstoredb' ? 'sagas' : sagasSchemaFor(config.ledger.schema);
  });

  afterAll(() => target.tearDown());

  it('says there are none on a platform whose sagas never failed', async () => {
    expect(await run('list', [])).toEqual({ code: 0, text: 'no dead letters' });
  });

  it('lists, retries and discards dead letters', async () => {
    await seed(['booking-a', 'booking-b']);
    const listed = await run('list', [], { json: true });
    expect(listed.code).toBe(0);
    const letters = JSON.parse(listed.text) as {
      id: string;
      saga: string;
      kind: string;
      key: string;
      lastError: string;
    }[];
    expect(letters.map((letter) => [letter.saga, letter.kind, letter.key, letter.lastError]).sort()).toEqual([
      ['adelsoft', 'sync', 'booking-a', 'AdelsoftError: HTTP 503'],
      ['adelsoft', 'sync', 'booking-b', 'AdelsoftError: HTTP 503'],
    ]);
    const human = await run('list', [], { saga: 'adelsoft' });
    expect(human.text).toContain('2 dead letter(s)');
    expect(human.text).toContain('adelsoft/sync  booking-a');
    expect(human.text).toContain('error: AdelsoftError: HTTP 503');

    const a = letters.find((letter) => letter.key === 'booking-a');
    const b = letters.find((letter) => letter.key === 'booking-b');
    const retried = await run('retry', [a?.id ?? '']);
    expect(retried).toEqual({ code: 0, text: `${a?.id}: adelsoft/sync booking-a scheduled again, due now` });
    const store = await open();
    try {
      const timers = await listTimers(store.sql, schema);
      expect(timers.map((timer) => [timer.key, timer.attempts, timer.dueAt.toISOString()])).toEqual([
        ['booking-a', 0, NOW.toISOString()],
      ]);
    } finally {
      await store.close();
    }

    expect((await run('discard', [b?.id ?? ''])).code).toBe(0);
    expect((await run('discard', [b?.id ?? ''])).code).toBe(1);
    expect(await run('list', [])).toEqual({ code: 0, text: 'no dead letters' });
  });

  it('retries every dead letter with --all, and asks for ids otherwise', async () => {
    await seed(['booking-c', 'booking-d']);
    expect((await run('retry', [])).code).toBe(2);
    const all = await run('retry', [], { all: true });
    expect(all.code).toBe(0);
    expect(all.text.split('\n')).toHaveLength(2);
    expect(await run('list', [])).toEqual({ code: 0, text: 'no dead letters' });
  });
});
