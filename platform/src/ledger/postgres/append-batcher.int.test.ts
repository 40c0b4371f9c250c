import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUrlForTests } from '../../testing/test-stores.js';
import { DuplicateEventIdError, type EventToAppend, WrongExpectedRevisionError } from '../ledger-port.js';
import { createPostgresLedger, type PostgresLedger } from './postgres-ledger.js';

/**
 * Group commit on PostgreSQL: with one append statement allowed at a time, concurrent single-event
 * appends are sent together; each keeps the answer it would get alone.
 */
const url = await postgresUrlForTests();

const event = (id: string = randomUUID()): EventToAppend => ({
  id,
  type: 'TestEvent',
  data: { n: 1, text: 'quote " backslash \\ é' },
  metadata: {
    tenantId: 't',
    actor: { id: 'test', role: 'system' },
    correlationId: 'c',
    causationId: null,
    occurredAt: new Date().toISOString(),
    schemaVersion: 1,
  },
});

describe.skipIf(!url)('append batching (PostgreSQL group commit)', () => {
  const schema = `test_batch_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let ledger: PostgresLedger;
  beforeAll(async () => {
    ledger = createPostgresLedger({
      connectionString: url,
      schema,
      poolMax: 8,
      appendConcurrency: 1,
      listen: false,
    });
    await ledger.migrate();
  });
  afterAll(async () => {
    await ledger?.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('appends concurrent events to new streams together, each at revision 1, data intact', async () => {
    const streams = Array.from({ length: 60 }, (_, i) => `batch-new-${i}`);
    const appended = await Promise.all(
      streams.map((stream) => ledger.append(stream, [event()], 'no_stream')),
    );
    expect(appended.every((r) => r.nextExpectedRevision === 1n && !r.duplicate)).toBe(true);
    // Fewer commits than appends: some appends shared a transaction.
    expect(new Set(appended.map((r) => r.position.commit)).size).toBeLessThan(streams.length);
    const positions = appended.map((r) => `${r.position.commit}/${r.position.prepare}`);
    expect(new Set(positions).size).toBe(streams.length);
    for (const stream of streams.slice(0, 5)) {
      const [read] = await ledger.readStream(stream);
      expect(read).toMatchObject({ revision: 1n, data: { n: 1, text: 'quote " backslash \\ é' } });
    }
  });

  it('keeps each append’s compare-and-set: right revisions append, wrong ones get the conflict', async () => {
    const streams = Array.from({ length: 20 }, (_, i) => `batch-cas-${i}`);
    for (const stream of streams) await ledger.append(stream, [event(), event()], 'no_stream');
    const outcomes = await Promise.allSettled(
      streams.map((stream, i) => ledger.append(stream, [event()], i % 2 === 0 ? 2n : 5n)),
    );
    for (const [i, outcome] of outcomes.entries()) {
      if (i % 2 === 0)
        expect(outcome).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 3n } });
      else {
        expect(outcome.status).toBe('rejected');
        const reason = (outcome as PromiseRejectedResult).reason;
        expect(reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect((reason as WrongExpectedRevisionError).actual).toBe(2n);
      }
    }
    // 'no_stream' on existing streams conflicts too, beside successes in the same batch.
    const mixed = await Promise.allSettled([
      ledger.append('batch-cas-0', [event()], 'no_stream'),
      ledger.append('batch-cas-fresh', [event()], 'no_stream'),
    ]);
    expect(mixed[0]?.status).toBe('rejected');
    expect(mixed[1]?.status).toBe('fulfilled');
  });

  it('one stream appended concurrently: exactly one wins each revision', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => ledger.append('batch-hot', [event()], 'no_stream')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await ledger.streamRevision('batch-hot')).toBe(1n);
  });

  it('a re-appended event id in a batch is a duplicate for its own append and does not fail the others', async () => {
    const repeated = event();
    await ledger.append('batch-dup', [repeated], 'no_stream');
    const stolen = event();
    await ledger.append('batch-owner', [stolen], 'no_stream');
    const outcomes = await Promise.allSettled([
      ledger.append('batch-dup', [repeated], 'no_stream'),
      ledger.append('batch-other', [stolen], 'no_stream'),
      ...Array.from({ length: 8 }, (_, i) => ledger.append(`batch-bystander-${i}`, [event()], 'no_stream')),
    ]);
    expect(outcomes[0]).toMatchObject({
      status: 'fulfilled',
      value: { duplicate: true, nextExpectedRevision: 1n },
    });
    expect(outcomes[1]?.status).toBe('rejected');
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateEventIdError);
    expect(outcomes.slice(2).every((o) => o.status === 'fulfilled')).toBe(true);
    expect(await ledger.streamRevision('batch-other')).toBe(0n);
  });

  it('reads concurrent streams together, each with its own start and limit', async () => {
    const streams = Array.from({ length: 30 }, (_, i) => `batch-read-${i}`);
    for (const [i, stream] of streams.entries()) {
      await ledger.append(
        stream,
        Array.from({ length: (i % 4) + 1 }, () => event()),
        'no_stream',
      );
    }
    const reads = await Promise.all(
      streams.flatMap((stream) => [
        ledger.readStream(stream),
        ledger.readStream(stream, { fromRevision: 2n }),
        ledger.readStream(stream, { limit: 1 }),
      ]),
    );
    for (const [i, stream] of streams.entries()) {
      const count = (i % 4) + 1;
      const [all, fromTwo, first] = reads.slice(i * 3, i * 3 + 3);
      expect(all?.map((e) => e.revision)).toEqual(Array.from({ length: count }, (_, k) => BigInt(k + 1)));
      expect(all?.every((e) => e.streamName === stream)).toBe(true);
      expect(fromTwo).toHaveLength(count - 1);
      expect(first).toHaveLength(1);
    }
    expect(await ledger.readStream('batch-read-none')).toEqual([]);
  });

  it('a batched read returns a stream of ten or more events in revision order', async () => {
    // Revisions travel as text; ordering them as text would put 10 before 2.
    const streams = ['batch-long-a', 'batch-long-b', 'batch-long-c'];
    for (const stream of streams) {
      await ledger.append(
        stream,
        Array.from({ length: 12 }, () => event()),
        'no_stream',
      );
    }
    const reads = await Promise.all(
      streams.flatMap((stream) => [ledger.readStream(stream), ledger.readStream(stream)]),
    );
    for (const read of reads) {
      expect(read.map((e) => e.revision)).toEqual(Array.from({ length: 12 }, (_, k) => BigInt(k + 1)));
    }
  });
});
