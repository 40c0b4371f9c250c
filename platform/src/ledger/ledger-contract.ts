import { randomUUID } from 'node:crypto';
import type { EventMetadata } from '@pti/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  comparePositions,
  DuplicateEventIdError,
  type EventToAppend,
  type ExpectedRevision,
  type Ledger,
  type Position,
  type RecordedEvent,
  START,
  WrongExpectedRevisionError,
} from './ledger-port.js';

/**
 * The one contract every ledger adapter passes (DESIGN.md §4). Tests use random stream categories and
 * filter global reads by them, so a store shared with other data (EventStoreDB) works too.
 */
export interface LedgerFixture {
  /** Opens the ledger the tests share (once per suite). */
  open(): Promise<Ledger>;
  /** Appends inside a transaction held open `holdMs` before commit. Default: wait holdMs, then append. */
  appendHeldOpen?(
    ledger: Ledger,
    stream: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
    holdMs: number,
  ): Promise<void>;
}

const metadata = (): EventMetadata => ({
  tenantId: 'tenant-contract',
  actor: { id: 'contract-suite', role: 'system' },
  correlationId: randomUUID(),
  causationId: null,
  occurredAt: new Date().toISOString(),
  schemaVersion: 1,
});

export function testEvent(type = 'ContractEventHappened', data: Record<string, unknown> = {}): EventToAppend {
  return { id: randomUUID(), type, data: { n: 0, ...data }, metadata: metadata() };
}

/** A random category so each test sees only its own streams: `c1a2b3c4-<id>`. */
export function newCategory(): string {
  return `c${randomUUID().replace(/-/g, '').slice(0, 10)}`;
}

async function readAllOf(ledger: Ledger, category: string, pageSize = 1000): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  let after: Position = START;
  for (;;) {
    const page = await ledger.readAll({
      after,
      limit: pageSize,
      filter: { streamPrefixes: [`${category}-`] },
    });
    out.push(...page.events);
    after = page.next;
    if (page.isEnd) return out;
  }
}

async function expectConflict(p: Promise<unknown>, actual: bigint): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WrongExpectedRevisionError);
  expect((err as WrongExpectedRevisionError).actual).toBe(actual);
}

/**
 * The gap-safe global order shows an event once every older transaction on the cluster has ended,
 * so on a shared server another client's long transaction delays visibility: tests wait for what
 * they appended to become visible rather than expecting it at once.
 */
const VISIBLE_WITHIN_MS = 25_000;

async function readAllVisible(ledger: Ledger, category: string, count: number): Promise<RecordedEvent[]> {
  const started = Date.now();
  for (;;) {
    const events = await readAllOf(ledger, category);
    if (events.length >= count || Date.now() - started > VISIBLE_WITHIN_MS) return events;
    await new Promise((r) => setTimeout(r, 25));
  }
}

function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() - started > timeoutMs)
        return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

export function describeLedgerContract(name: string, fixture: LedgerFixture): void {
  describe(`ledger contract: ${name}`, () => {
    let ledger: Ledger;
    const heldOpen = (
      stream: string,
      events: readonly EventToAppend[],
      expected: ExpectedRevision,
      holdMs: number,
    ) =>
      fixture.appendHeldOpen
        ? fixture.appendHeldOpen(ledger, stream, events, expected, holdMs)
        : new Promise<void>((r) => setTimeout(r, holdMs)).then(() =>
            ledger.append(stream, events, expected).then(() => undefined),
          );

    beforeAll(async () => {
      ledger = await fixture.open();
    });
    afterAll(async () => {
      await ledger?.close();
    });

    it('appends to a new stream and reads it back with 1-based revisions', async () => {
      const stream = `${newCategory()}-1`;
      const events = [
        testEvent('A', { n: 1 }),
        testEvent('B', { n: 2, nested: { ok: true, list: [1, 'x'] } }),
      ];
      const result = await ledger.append(stream, events, 'no_stream');
      expect(result.nextExpectedRevision).toBe(2n);
      expect(result.duplicate).toBe(false);
      const read = await ledger.readStream(stream);
      expect(read.map((e) => [e.id, e.type, e.revision, e.streamName])).toEqual([
        [events[0]!.id, 'A', 1n, stream],
        [events[1]!.id, 'B', 2n, stream],
      ]);
      expect(read[1]!.data).toEqual({ n: 2, nested: { ok: true, list: [1, 'x'] } });
      expect(read[0]!.metadata).toEqual(events[0]!.metadata);
      expect(read[0]!.recordedAt).toBeInstanceOf(Date);
      expect(comparePositions(read[1]!.position, result.position)).toBe(0);
      expect(await ledger.streamRevision(stream)).toBe(2n);
      expect(await ledger.streamRevision(`${newCategory()}-none`)).toBe(0n);
      expect(await ledger.readStream(`${newCategory()}-none`)).toEqual([]);
    });

    it("expected 'no_stream': succeeds only when the stream does not exist", async () => {
      const stream = `${newCategory()}-1`;
      await ledger.append(stream, [testEvent()], 'no_stream');
      await expectConflict(ledger.append(stream, [testEvent()], 'no_stream'), 1n);
      expect(await ledger.streamRevision(stream)).toBe(1n);
    });

    it("expected 'exists': fails on a missing stream, succeeds on an existing one", async () => {
      const stream = `${newCategory()}-1`;
      await expectConflict(ledger.append(stream, [testEvent()], 'exists'), 0n);
      await ledger.append(stream, [testEvent()], 'any');
      const r = await ledger.append(stream, [testEvent(), testEvent()], 'exists');
      expect(r.nextExpectedRevision).toBe(3n);
    });

    it("expected 'any': succeeds whether or not the stream exists", async () => {
      const stream = `${newCategory()}-1`;
      expect((await ledger.append(stream, [testEvent()], 'any')).nextExpectedRevision).toBe(1n);
      expect((await ledger.append(stream, [testEvent()], 'any')).nextExpectedRevision).toBe(2n);
    });

    it('expected revision: exact match appends, anything else raises the typed conflict with the actual revision', async () => {
      const stream = `${newCategory()}-1`;
      expect((await ledger.append(stream, [testEvent()], 0n)).nextExpectedRevision).toBe(1n);
      expect((await ledger.append(stream, [testEvent(), testEvent()], 1n)).nextExpectedRevision).toBe(3n);
      await expectConflict(ledger.append(stream, [testEvent()], 1n), 3n);
      await expectConflict(ledger.append(stream, [testEvent()], 4n), 3n);
      await expectConflict(ledger.append(`${newCategory()}-2`, [testEvent()], 2n), 0n);
      const err = await ledger.append(stream, [testEvent()], 2n).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'wrong_expected_revision', stream, expected: 2n, actual: 3n });
      expect((await ledger.readStream(stream)).map((e) => e.revision)).toEqual([1n, 2n, 3n]);
    });

    it('concurrent appenders on one stream: exactly one wins each revision, the others get the conflict', async () => {
      const stream = `${newCategory()}-1`;
      const writers = 10;
      for (let round = 0n; round < 5n; round++) {
        const outcomes = await Promise.allSettled(
          Array.from({ length: writers }, (_, w) =>
            ledger.append(stream, [testEvent('Raced', { w })], round),
          ),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(writers - 1);
        for (const l of lost) {
          expect(l.reason).toBeInstanceOf(WrongExpectedRevisionError);
          expect((l.reason as WrongExpectedRevisionError).actual).toBe(round + 1n);
        }
      }
      expect((await ledger.readStream(stream)).map((e) => e.revision)).toEqual([1n, 2n, 3n, 4n, 5n]);
    });

    it('concurrent appenders that retry on conflict lose nothing: revisions are contiguous', async () => {
      const stream = `${newCategory()}-1`;
      const writers = 8;
      const perWriter = 5;
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < perWriter; i++) {
            const event = testEvent('Counted', { w, i });
            for (;;) {
              const revision = await ledger.streamRevision(stream);
              try {
                await ledger.append(stream, [event], revision);
                break;
              } catch (e) {
                if (!(e instanceof WrongExpectedRevisionError)) throw e;
              }
            }
          }
        }),
      );
      const read = await ledger.readStream(stream);
      expect(read.map((e) => e.revision)).toEqual(
        Array.from({ length: writers * perWriter }, (_, i) => BigInt(i + 1)),
      );
      expect(new Set(read.map((e) => `${e.data.w}/${e.data.i}`)).size).toBe(writers * perWriter);
    });

    it('re-appending the same event ids is idempotent, whatever the expected revision', async () => {
      const stream = `${newCategory()}-1`;
      const batch = [testEvent(), testEvent()];
      const first = await ledger.append(stream, batch, 'no_stream');
      const again = await ledger.append(stream, batch, 'no_stream');
      expect(again.duplicate).toBe(true);
      expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
      expect(comparePositions(again.position, first.position)).toBe(0);
      await ledger.append(stream, [testEvent()], 2n);
      const stale = await ledger.append(stream, batch, 0n);
      expect(stale.duplicate).toBe(true);
      expect(stale.nextExpectedRevision).toBe(2n);
      expect(await ledger.readStream(stream)).toHaveLength(3);
      // Concurrent identical appends: one writes, the rest see a duplicate.
      const stream2 = `${newCategory()}-2`;
      const raced = [testEvent()];
      const results = await Promise.all(
        Array.from({ length: 6 }, () => ledger.append(stream2, raced, 'any')),
      );
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(await ledger.readStream(stream2)).toHaveLength(1);
    });

    it('an event id already stored in another stream is refused', async () => {
      const event = testEvent();
      await ledger.append(`${newCategory()}-1`, [event], 'any');
      const err = await ledger.append(`${newCategory()}-2`, [event], 'any').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DuplicateEventIdError);
    });

    it('reads a stream from a revision with a limit', async () => {
      const stream = `${newCategory()}-1`;
      await ledger.append(
        stream,
        Array.from({ length: 10 }, (_, n) => testEvent('N', { n })),
        'no_stream',
      );
      const part = await ledger.readStream(stream, { fromRevision: 4n, limit: 3 });
      expect(part.map((e) => [e.revision, e.data.n])).toEqual([
        [4n, 3],
        [5n, 4],
        [6n, 5],
      ]);
    });

    it('readAll yields the same sequence whatever the page size, in strictly increasing positions', async () => {
      const category = newCategory();
      for (let s = 0; s < 6; s++) {
        for (let b = 0; b < 4; b++) {
          await ledger.append(
            `${category}-${s}`,
            [testEvent(b % 2 ? 'Odd' : 'Even', { s, b }), testEvent('Tail', { s, b })],
            'any',
          );
        }
      }
      const reference = await readAllVisible(ledger, category, 48);
      expect(reference).toHaveLength(48);
      for (let i = 1; i < reference.length; i++) {
        expect(comparePositions(reference[i - 1]!.position, reference[i]!.position)).toBe(-1);
      }
      for (const size of [1, 2, 5, 7, 13, 47, 48, 49]) {
        const paged = await readAllOf(ledger, category, size);
        expect(paged.map((e) => e.id)).toEqual(reference.map((e) => e.id));
      }
      // Per-stream order inside the global order.
      const s0 = reference.filter((e) => e.streamName === `${category}-0`).map((e) => e.revision);
      expect(s0).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
      // Type filter = the same sequence filtered client-side, with any page size.
      for (const size of [1, 3, 100]) {
        const odd: RecordedEvent[] = [];
        let after: Position = START;
        for (;;) {
          const page = await ledger.readAll({
            after,
            limit: size,
            filter: { streamPrefixes: [`${category}-`], eventTypes: ['Odd'] },
          });
          odd.push(...page.events);
          after = page.next;
          if (page.isEnd) break;
        }
        expect(odd.map((e) => e.id)).toEqual(reference.filter((e) => e.type === 'Odd').map((e) => e.id));
      }
    });

    it('gap safety: with writers committing out of order, a live subscriber sees every event once, in readAll order', async () => {
      const category = newCategory();
      const seen: RecordedEvent[] = [];
      const sub = ledger.subscribe(
        { filter: { streamPrefixes: [`${category}-`] }, batchSize: 7 },
        { handle: async (events) => void seen.push(...events) },
      );
      const writers = 12;
      const perWriter = 6;
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < perWriter; i++) {
            const stream = `${category}-${w}`;
            const events = [testEvent('Written', { w, i }), testEvent('Written', { w, i, second: true })];
            // Every third append holds its transaction open, so later writers commit first.
            if ((w + i) % 3 === 0)
              await heldOpen(stream, events, BigInt(i * 2), 40 + ((w * 37 + i * 11) % 160));
            else await ledger.append(stream, events, BigInt(i * 2));
          }
        }),
      );
      const total = writers * perWriter * 2;
      await until(() => seen.length >= total, VISIBLE_WITHIN_MS, `${total} events`);
      await new Promise((r) => setTimeout(r, 300));
      await sub.stop();
      const ids = seen.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(total);
      const reference = await readAllOf(ledger, category);
      expect(ids).toEqual(reference.map((e) => e.id));
    });

    it('a subscriber stopped mid-stream resumes from its checkpoint with nothing lost or repeated', async () => {
      const category = newCategory();
      for (let i = 0; i < 30; i++)
        await ledger.append(`${category}-${i % 3}`, [testEvent('R', { i })], 'any');
      const first: RecordedEvent[] = [];
      let checkpoint: Position = START;
      const sub1 = ledger.subscribe(
        { filter: { streamPrefixes: [`${category}-`] }, batchSize: 4 },
        {
          handle: async (events) => {
            if (first.length >= 12) return new Promise<void>(() => undefined) as never;
            first.push(...events);
            checkpoint = events[events.length - 1]!.position;
          },
        },
      );
      await until(() => first.length >= 12, VISIBLE_WITHIN_MS, '12 events');
      const stopping = sub1.stop();
      // More events arrive while the first subscriber is gone.
      for (let i = 30; i < 40; i++)
        await ledger.append(`${category}-${i % 3}`, [testEvent('R', { i })], 'any');
      await Promise.race([stopping, new Promise((r) => setTimeout(r, 200))]);
      const second: RecordedEvent[] = [];
      const sub2 = ledger.subscribe(
        { after: checkpoint, filter: { streamPrefixes: [`${category}-`] }, batchSize: 5 },
        { handle: async (events) => void second.push(...events) },
      );
      await until(() => first.length + second.length >= 40, VISIBLE_WITHIN_MS, '40 events');
      await sub2.stop();
      const all = [...first, ...second].map((e) => e.data.i);
      expect(all).toEqual(Array.from({ length: 40 }, (_, i) => i));
    });

    it('goes live after catching up, signals caughtUp, and delivers later appends', async () => {
      const category = newCategory();
      await ledger.append(`${category}-1`, [testEvent('Before')], 'any');
      const seen: string[] = [];
      let caughtUp = 0;
      const sub = ledger.subscribe(
        { filter: { streamPrefixes: [`${category}-`] } },
        {
          handle: async (events) => void seen.push(...events.map((e) => e.type)),
          caughtUp: () => void caughtUp++,
        },
      );
      // Caught up means up to the visible head: 'Before' may still be hidden behind another
      // client's open transaction, so wait for both.
      await until(() => caughtUp >= 1 && seen.length >= 1, VISIBLE_WITHIN_MS, 'caught up');
      expect(seen).toEqual(['Before']);
      await ledger.append(`${category}-1`, [testEvent('After')], 'any');
      await until(() => seen.length === 2, VISIBLE_WITHIN_MS, 'live event');
      await sub.stop();
      expect(seen).toEqual(['Before', 'After']);
    });

    it('a handler error ends the subscription with that error', async () => {
      const category = newCategory();
      await ledger.append(`${category}-1`, [testEvent()], 'any');
      const sub = ledger.subscribe(
        { filter: { streamPrefixes: [`${category}-`] } },
        {
          handle: async () => {
            throw new Error('projector exploded');
          },
        },
      );
      await expect(sub.done).rejects.toThrow('projector exploded');
      await sub.stop();
    });
  });
}
