import { EventEmitter } from 'node:events';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresUrlForTests } from '../../testing/test-stores.js';
import { createHeldConnections } from './held-connections.js';

/** A pool whose clients record when `query` is called (no server): enough to see when a statement leaves. */
function recordingPool(max = 8) {
  const calls: string[] = [];
  const released: (Error | undefined)[] = [];
  const client = Object.assign(new EventEmitter(), {
    query: (config: { name: string }) => {
      calls.push(`client:${config.name}`);
      return Promise.resolve({ rows: [{ via: 'held' }] });
    },
    release: (error?: Error) => {
      released.push(error);
    },
  });
  const pool = {
    options: { max },
    waitingCount: 0,
    connect: () => Promise.resolve(client),
    query: (config: { name: string }) => {
      calls.push(`pool:${config.name}`);
      return Promise.resolve({ rows: [{ via: 'pool' }] });
    },
  };
  return { pool: pool as unknown as pg.Pool, fake: pool, client, calls, released };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('held connections', () => {
  it('sends a statement on a held connection in the caller’s own turn, before promise jobs queued earlier', async () => {
    const { pool, calls } = recordingPool();
    const held = createHeldConnections(pool, { size: 1 });
    // The first statement finds none held: it goes through the pool and asks for one.
    await expect(held.query('first', 'SELECT 1', [])).resolves.toEqual([{ via: 'pool' }]);
    await settle();
    expect(held.held()).toBe(1);

    const order: string[] = [];
    void Promise.resolve().then(() => order.push('earlier promise job'));
    const rows = held.query('second', 'SELECT 2', []);
    order.push(calls.at(-1) ?? 'nothing sent');
    await expect(rows).resolves.toEqual([{ via: 'held' }]);
    // `client:second` was recorded before the promise job queued ahead of the call had run.
    expect(order).toEqual(['client:second', 'earlier promise job']);
    held.release();
  });

  it('holds at most `size` connections; a statement finding them all busy goes through the pool', async () => {
    const { pool, calls } = recordingPool();
    const held = createHeldConnections(pool, { size: 1 });
    await held.query('warm', 'SELECT 1', []);
    await settle();
    const both = Promise.all([held.query('a', 'SELECT 1', []), held.query('b', 'SELECT 1', [])]);
    await both;
    await settle();
    expect(calls).toEqual(['pool:warm', 'client:a', 'pool:b']);
    expect(held.held()).toBe(1);
    held.release();
  });

  it('hands back a connection that failed outside PostgreSQL’s answer, and one reported by an error event', async () => {
    const { pool, client, released } = recordingPool();
    const held = createHeldConnections(pool, { size: 1 });
    await held.query('warm', 'SELECT 1', []);
    await settle();
    const failing = client.query;
    client.query = () => Promise.reject(new Error('socket hang up'));
    await expect(held.query('x', 'SELECT 1', [])).rejects.toThrow('socket hang up');
    expect(held.held()).toBe(0);
    expect(released).toHaveLength(1);
    expect(released[0]).toBeInstanceOf(Error);

    client.query = failing;
    await held.query('again', 'SELECT 1', []);
    await settle();
    expect(held.held()).toBe(1);
    client.emit('error', new Error('terminated'));
    expect(held.held()).toBe(0);
    expect(released).toHaveLength(2);
    held.release();
  });

  it('holds none from a pool of fewer than 4, and gives a held one back as soon as someone waits for the pool', async () => {
    const small = recordingPool(3);
    const none = createHeldConnections(small.pool, { size: 2 });
    await none.query('a', 'SELECT 1', []);
    await settle();
    await none.query('b', 'SELECT 1', []);
    expect(none.held()).toBe(0);
    expect(small.calls).toEqual(['pool:a', 'pool:b']);

    const { pool, fake, released } = recordingPool();
    const held = createHeldConnections(pool, { size: 1, idleMs: 60_000 });
    await held.query('warm', 'SELECT 1', []);
    await settle();
    expect(held.held()).toBe(1);
    fake.waitingCount = 1;
    await held.query('used while someone waits', 'SELECT 1', []);
    expect(held.held()).toBe(0);
    expect(released).toEqual([undefined]);
    held.release();
  });

  it('gives idle connections back after idleMs, and all of them on release', async () => {
    const { pool, released } = recordingPool();
    const held = createHeldConnections(pool, { size: 1, idleMs: 100 });
    await held.query('warm', 'SELECT 1', []);
    await settle();
    expect(held.held()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(held.held()).toBe(0);
    expect(released).toEqual([undefined]);

    await held.query('warm again', 'SELECT 1', []);
    await settle();
    expect(held.held()).toBe(1);
    held.release();
    expect(held.held()).toBe(0);
    expect(released).toEqual([undefined, undefined]);
  });
});

const url = await postgresUrlForTests();

if (url) {
  describe('held connections on PostgreSQL', () => {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    afterAll(() => pool.end());

    it('answers on the held connection, keeps it across statements, and survives its backend being terminated', async () => {
      const held = createHeldConnections(pool, { size: 1 });
      const pidOf = async () =>
        (await held.query<{ pid: number }>('held_test_pid', 'SELECT pg_backend_pid() AS pid', []))[0]?.pid;
      await pidOf();
      await settle();
      const first = await pidOf();
      expect(await pidOf()).toBe(first);
      expect(held.held()).toBe(1);
      // A statement error is PostgreSQL's answer: the connection stays held.
      await expect(held.query('held_test_bad', 'SELECT 1/0', [])).rejects.toThrow('division by zero');
      expect(held.held()).toBe(1);

      await pool.query('SELECT pg_terminate_backend($1)', [first]);
      // The next statement (or the error event before it) finds the connection dead and hands it back.
      await expect
        .poll(
          async () => {
            try {
              return (await pidOf()) !== first;
            } catch {
              return false;
            }
          },
          { timeout: 5_000, interval: 50 },
        )
        .toBe(true);
      held.release();
      await settle();
      expect(held.held()).toBe(0);
      expect(pool.totalCount).toBeGreaterThanOrEqual(1);
      expect(pool.waitingCount).toBe(0);
    });
  });
} else {
  describe('held connections on PostgreSQL', () => {
    it.skip('DATABASE_URL unset: the PostgreSQL part of the held-connections test is skipped', () => {});
  });
}
