import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ColumnType, Generated, Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMORY_DATA_DIR } from '../config/config.js';
import { createDatabase, type Database } from './database.js';
import { openPglite } from './pglite.js';
import { sqlLiteral } from './sql-executor.js';

interface BookingTable {
  id: string;
  reference: string;
  centre_id: string;
  day: string;
  price_cents: bigint;
  starts_at: Date;
  // Written as JSON text (portable across pg and PGlite), read back parsed.
  data: ColumnType<{ channel: string }, string, string>;
  created_at: Generated<Date>;
}

interface TestDB {
  booking: BookingTable;
}

const backends: { name: string; open: () => Promise<Database<TestDB>> }[] = [
  { name: 'pglite', open: () => createDatabase<TestDB>({ kind: 'pglite', dataDir: MEMORY_DATA_DIR }) },
];
const databaseUrl = process.env.DATABASE_URL;
if (databaseUrl === undefined || databaseUrl === '') {
  console.info('[database int] DATABASE_URL unset: PostgreSQL backend skipped (PGlite only)');
} else {
  backends.push({
    name: 'postgres',
    open: () => createDatabase<TestDB>({ kind: 'postgres', url: databaseUrl, poolMax: 4 }),
  });
}

function booking(reference: string, overrides: Partial<{ price_cents: bigint; day: string }> = {}) {
  return {
    id: randomUUID(),
    reference,
    centre_id: 'centre-1',
    day: overrides.day ?? '2026-03-29',
    price_cents: overrides.price_cents ?? 7_890n,
    starts_at: new Date('2026-03-29T07:30:00.000Z'),
    data: JSON.stringify({ channel: 'web' }),
  };
}

describe.each(backends)('database on $name', ({ open }) => {
  let database: Database<TestDB>;
  let db: Kysely<TestDB>;
  // A schema per run, so parallel runs against one PostgreSQL never meet.
  const schema = `t_db_${randomBytes(6).toString('hex')}`;

  const references = async () =>
    (await db.selectFrom('booking').select('reference').orderBy('reference').execute()).map(
      (row) => row.reference,
    );

  beforeAll(async () => {
    database = await open();
    await database.sql.exec(`
      create schema ${schema};
      create table ${schema}.booking (
        id uuid primary key,
        reference text not null unique,
        centre_id text not null,
        day date not null,
        price_cents int8 not null,
        starts_at timestamptz not null,
        data jsonb not null,
        created_at timestamptz not null default now()
      );
    `);
    db = database.kysely.withSchema(schema);
  });

  afterAll(async () => {
    if (database === undefined) return;
    await database.sql.exec(`drop schema if exists ${schema} cascade`);
    await database.close();
    await database.close();
  });

  it('pings', async () => {
    await expect(database.ping()).resolves.toBeUndefined();
  });

  it('creates, reads, updates and deletes with Kysely, with the documented types', async () => {
    const big = 9_007_199_254_740_993n; // above Number.MAX_SAFE_INTEGER: must stay exact
    const inserted = await db
      .insertInto('booking')
      .values(booking('CRUD-1', { price_cents: big }))
      .returning(['id', 'price_cents'])
      .executeTakeFirstOrThrow();
    expect(inserted.price_cents).toBe(big);

    const row = await db
      .selectFrom('booking')
      .selectAll()
      .where('reference', '=', 'CRUD-1')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      centre_id: 'centre-1',
      day: '2026-03-29',
      price_cents: big,
      data: { channel: 'web' },
    });
    expect(row.starts_at).toEqual(new Date('2026-03-29T07:30:00.000Z'));
    expect(row.created_at).toBeInstanceOf(Date);

    const updated = await db
      .updateTable('booking')
      .set({ price_cents: 0n })
      .where('id', '=', inserted.id)
      .executeTakeFirstOrThrow();
    expect(updated.numUpdatedRows).toBe(1n);

    const deleted = await db.deleteFrom('booking').where('id', '=', inserted.id).executeTakeFirstOrThrow();
    expect(deleted.numDeletedRows).toBe(1n);
    expect(await db.selectFrom('booking').select('id').where('id', '=', inserted.id).execute()).toEqual([]);
  });

  it('commits a transaction', async () => {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('booking').values(booking('TX-COMMIT')).execute();
    });
    expect(await references()).toContain('TX-COMMIT');
  });

  it('rolls a transaction back when it throws', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('booking').values(booking('TX-ROLLBACK')).execute();
        const seen = await trx
          .selectFrom('booking')
          .select('reference')
          .where('reference', '=', 'TX-ROLLBACK')
          .execute();
        expect(seen).toHaveLength(1);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await references()).not.toContain('TX-ROLLBACK');
  });

  it('rolls back to a savepoint inside a controlled transaction', async () => {
    const trx = await db.startTransaction().execute();
    await trx.insertInto('booking').values(booking('SP-KEPT')).execute();
    const inner = await trx.savepoint('inner').execute();
    await inner.insertInto('booking').values(booking('SP-UNDONE')).execute();
    const back = await inner.rollbackToSavepoint('inner').execute();
    await back.commit().execute();
    const seen = await references();
    expect(seen).toContain('SP-KEPT');
    expect(seen).not.toContain('SP-UNDONE');
  });

  it('keeps work started during a transaction out of it', async () => {
    let outside: Promise<unknown> = Promise.resolve();
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('booking').values(booking('TX-INSIDE')).execute();
        // Not awaited: on PGlite it waits for the transaction to end, on pg it uses another connection.
        outside = db.insertInto('booking').values(booking('TX-OUTSIDE')).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await outside;
    const seen = await references();
    expect(seen).toContain('TX-OUTSIDE');
    expect(seen).not.toContain('TX-INSIDE');
  });

  it('runs raw SQL with parameters and raw transactions', async () => {
    const { rows, rowCount } = await database.sql.query<{ reference: string }>(
      `insert into ${schema}.booking (id, reference, centre_id, day, price_cents, starts_at, data)
       values ($1, $2, $3, $4, $5, $6, $7) returning reference`,
      [
        randomUUID(),
        'RAW-1',
        'centre-2',
        '2026-10-25',
        1_500n,
        new Date(),
        JSON.stringify({ channel: 'call_centre' }),
      ],
    );
    expect(rows).toEqual([{ reference: 'RAW-1' }]);
    expect(rowCount).toBe(1);

    await expect(
      database.sql.transaction(async (tx) => {
        await tx.query(`update ${schema}.booking set centre_id = $1 where reference = $2`, [
          'moved',
          'RAW-1',
        ]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const committed = await database.sql.transaction(async (tx) => {
      const result = await tx.query<{ centre_id: string }>(
        `update ${schema}.booking set day = $1 where reference = $2 returning centre_id`,
        ['2026-10-26', 'RAW-1'],
      );
      return result.rows[0]?.centre_id;
    });
    expect(committed).toBe('centre-2');
    const { rows: after } = await database.sql.query<{ day: string }>(
      `select day from ${schema}.booking where reference = $1`,
      ['RAW-1'],
    );
    expect(after).toEqual([{ day: '2026-10-26' }]);
  });

  it('runs the statements of TransactionEnds with BEGIN and COMMIT, inside the transaction', async () => {
    await database.sql.query(
      `insert into ${schema}.booking (id, reference, centre_id, day, price_cents, starts_at, data)
       values ($1, 'ENDS-1', 'centre-3', '2026-11-02', 100, now(), '{}')`,
      [randomUUID()],
    );
    const reference = sqlLiteral("ENDS-1'; drop table x; --\\");
    expect(reference).toBe("E'ENDS-1''; drop table x; --\\\\'");
    const result = await database.sql.transaction(
      async (tx, first) => {
        // `first` ran in this transaction: its lock is held and its setting is local to it.
        const { rows } = await tx.query<{ setting: string; in_tx: boolean }>(
          `select current_setting('application_name') as setting,
                  pg_current_xact_id_if_assigned() is not null as in_tx`,
        );
        return { first, setting: rows[0]?.setting, price: 250 };
      },
      {
        first: `select centre_id, set_config('application_name', 'ends-test', true) as app
                  from ${schema}.booking where reference = 'ENDS-1' for update`,
        last: (done) =>
          `update ${schema}.booking set price_cents = ${done.price} where reference = ${sqlLiteral('ENDS-1')}`,
      },
    );
    expect(result.first).toEqual([{ centre_id: 'centre-3', app: 'ends-test' }]);
    expect(result.setting).toBe('ends-test');
    const price = async () =>
      (
        await database.sql.query<{ price_cents: bigint }>(
          `select price_cents from ${schema}.booking where reference = 'ENDS-1'`,
        )
      ).rows[0]?.price_cents;
    expect(await price()).toBe(250n);
    // The setting was local to the transaction.
    const { rows: outside } = await database.sql.query<{ setting: string }>(
      `select current_setting('application_name') as setting`,
    );
    expect(outside[0]?.setting).not.toBe('ends-test');

    // A failing `last` commits nothing of the transaction, and the error reaches the caller.
    await expect(
      database.sql.transaction(
        async (tx) => {
          await tx.query(`update ${schema}.booking set centre_id = 'gone' where reference = 'ENDS-1'`);
        },
        { last: () => `update ${schema}.booking set price_cents = 1 / 0 where reference = 'ENDS-1'` },
      ),
    ).rejects.toThrow(/division by zero/);
    // `last` returning undefined: a plain commit.
    await database.sql.transaction(
      async (tx) => {
        await tx.query(`update ${schema}.booking set price_cents = 300 where reference = 'ENDS-1'`);
      },
      { last: () => undefined },
    );
    const { rows: after } = await database.sql.query<{ centre_id: string; price_cents: bigint }>(
      `select centre_id, price_cents from ${schema}.booking where reference = 'ENDS-1'`,
    );
    expect(after).toEqual([{ centre_id: 'centre-3', price_cents: 300n }]);
    // A failing `first` fails the transaction before `fn` runs.
    let ran = false;
    await expect(
      database.sql.transaction(
        async () => {
          ran = true;
        },
        { first: `select * from ${schema}.no_such_table` },
      ),
    ).rejects.toThrow(/no_such_table/);
    expect(ran).toBe(false);
    // The connection is usable afterwards (the pool got a rolled-back connection back).
    expect(await price()).toBe(300n);
  });

  it('maps int8, xid8 and date arrays the same way', async () => {
    const { rows } = await database.sql.query<{
      ids: bigint[];
      days: (string | null)[];
      grid: bigint[][];
      n: bigint;
      xid: bigint;
    }>(
      `select array[1, 9007199254740993]::int8[] as ids,
              array['2026-03-29'::date, null] as days,
              array[array[1, 2], array[3, 4]]::int8[] as grid,
              count(*) as n,
              pg_current_xact_id() as xid
         from ${schema}.booking`,
    );
    const row = rows[0];
    expect(row?.ids).toEqual([1n, 9_007_199_254_740_993n]);
    expect(row?.days).toEqual(['2026-03-29', null]);
    expect(row?.grid).toEqual([
      [1n, 2n],
      [3n, 4n],
    ]);
    expect(typeof row?.n).toBe('bigint');
    expect(typeof row?.xid).toBe('bigint');
  });
});

describe('openPglite on disk', () => {
  // initdb plus two opens: slow on a loaded machine.
  it('creates the data directory and keeps data across reopening', { timeout: 90_000 }, async () => {
    const root = await mkdtemp(join(tmpdir(), 'pti-pglite-'));
    const dataDir = join(root, 'nested', 'pglite');
    try {
      const first = await createDatabase<TestDB>({ kind: 'pglite', dataDir });
      await first.sql.exec('create table kept (id int primary key); insert into kept values (1), (2);');
      await first.close();

      const pglite = await openPglite(dataDir);
      const shared = await createDatabase<TestDB>({ kind: 'pglite', pglite });
      const { rows } = await shared.sql.query<{ n: bigint }>('select count(*) as n from kept');
      expect(rows).toEqual([{ n: 2n }]);
      await shared.close();
      // A shared instance stays open for its owner.
      expect(pglite.closed).toBe(false);
      await pglite.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
