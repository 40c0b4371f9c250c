import { randomBytes } from 'node:crypto';
import { createDatabase, type Database, type SqlExecutor } from '@pti/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deferWrite, upsertRows, writeBehind } from './sql.js';

/**
 * `writeBehind`: a live batch's writes wait and travel with the next read or with the commit. The
 * rows must be those the same writes make one statement at a time, in the same order, with values
 * that need escaping; a read sees the writes queued before it; a failing deferred write fails the
 * transaction. Runs on PostgreSQL when DATABASE_URL is set, on PGlite otherwise.
 */
const url = process.env.DATABASE_URL;
const schema = `wb_${randomBytes(4).toString('hex')}`;
const TRICKY = ['', "it's", 'back\\slash', 'line\nbreak', '\\x41', '$1', 'é 漢字 🚗', '{"a":1}'];

/** An executor that records what reaches the connection (one entry per round trip). */
function recording(tx: SqlExecutor, sent: string[]): SqlExecutor {
  return {
    query: (sql, params) => {
      sent.push(`query:${sql}`);
      return tx.query(sql, params);
    },
    exec: (script) => {
      sent.push(`exec:${script}`);
      return tx.exec(script);
    },
  };
}

describe('write-behind (live batches)', () => {
  let database: Database<Record<string, never>>;

  beforeAll(async () => {
    database =
      url === undefined || url === ''
        ? await createDatabase({ kind: 'pglite', dataDir: 'memory://' })
        : await createDatabase({ kind: 'postgres', url, poolMax: 2 });
    await database.sql.exec(`
      create schema ${schema};
      create table ${schema}.a (id text primary key, t text, n int8, doc jsonb);
      create table ${schema}.b (id text primary key, t text, n int8, doc jsonb);
      create table ${schema}.log (seq serial primary key, what text not null);
    `);
  });
  afterAll(async () => {
    await database?.sql.exec(`drop schema if exists ${schema} cascade`);
    await database?.close();
  });

  const rows = TRICKY.map((t, i) => ({ id: `r${i}`, t, n: 9_007_199_254_740_993n + BigInt(i), doc: { t } }));
  const table = (name: string) =>
    database.sql.query(`select id, t, n, doc from ${schema}.${name} order by id`).then((r) => r.rows);

  it('writes the same rows as direct statements, in order, in the commit round trip', async () => {
    await upsertRows(database.sql, `${schema}.a`, rows, { key: ['id'] });
    const sent: string[] = [];
    await database.sql.transaction(
      async (tx) => {
        const writes = writeBehind(recording(tx, sent));
        expect(await upsertRows(writes, `${schema}.b`, rows, { key: ['id'] })).toBeUndefined();
        await deferWrite(writes, `insert into ${schema}.log (what) values ($1), ($2)`, ['first', "l'ordre"]);
        await deferWrite(writes, `update ${schema}.log set what = what || $1 where what = $2`, [
          '!',
          'first',
        ]);
        expect(sent).toEqual([]);
        return writes.drain();
      },
      { last: (script) => script },
    );
    // Nothing reached the connection through the executor: everything went with COMMIT.
    expect(sent).toEqual([]);
    expect(await table('b')).toEqual(await table('a'));
    const log = await database.sql.query(`select what from ${schema}.log order by seq`);
    expect(log.rows).toEqual([{ what: 'first!' }, { what: "l'ordre" }]);
  });

  it('sends the queued writes before a read, so the read sees them', async () => {
    const sent: string[] = [];
    const seen = await database.sql.transaction(async (tx) => {
      const writes = writeBehind(recording(tx, sent));
      await deferWrite(writes, `insert into ${schema}.log (what) values ($1)`, ['before read']);
      const { rows: found } = await writes.query<{ n: bigint }>(
        `select count(*) as n from ${schema}.log where what = $1`,
        ['before read'],
      );
      expect(writes.drain()).toBeUndefined();
      return found[0]?.n;
    });
    expect(seen).toBe(1n);
    expect(sent.map((s) => s.split(':')[0])).toEqual(['exec', 'query']);
  });

  it('runs a write at once when a parameter cannot be a literal', async () => {
    const sent: string[] = [];
    await database.sql.transaction(async (tx) => {
      const writes = writeBehind(recording(tx, sent));
      await deferWrite(writes, `insert into ${schema}.log (what) select unnest($1::text[])`, [['x', 'y']]);
      expect(writes.drain()).toBeUndefined();
    });
    expect(sent).toHaveLength(1);
    const { rows: found } = await database.sql.query(
      `select what from ${schema}.log where what in ('x', 'y') order by what`,
    );
    expect(found).toEqual([{ what: 'x' }, { what: 'y' }]);
  });

  it('a failing deferred write fails the transaction and commits none of it', async () => {
    await expect(
      database.sql.transaction(
        async (tx) => {
          const writes = writeBehind(tx);
          await deferWrite(writes, `insert into ${schema}.log (what) values ($1)`, ['lost']);
          await deferWrite(writes, `insert into ${schema}.log (what) values ($1)`, [null]);
          return writes.drain();
        },
        { last: (script) => script },
      ),
    ).rejects.toThrow(/null value/);
    const { rows: found } = await database.sql.query(`select what from ${schema}.log where what = 'lost'`);
    expect(found).toEqual([]);
  });
});
