import { describe, expect, it } from 'vitest';
import { describeLedgerContract, newCategory, testEvent } from '../ledger-contract.js';
import { type Position, type RecordedEvent, START } from '../ledger-port.js';
import { createEventStoreDbLedger } from './eventstoredb-ledger.js';
import { FakeEsdbClient } from './testing/fake-esdb-client.js';

/*
 * The adapter against an in-memory model of the client (see FakeEsdbClient): it checks the adapter's own
 * logic — revision mapping, id claims, duplicate detection, readAll paging, subscription batching,
 * caught-up ordering and resubscription — with no server. EventStoreDB itself is only exercised by
 * eventstoredb-ledger.int.test.ts (EVENTSTORE_URL or Docker).
 */
describeLedgerContract('eventstoredb adapter over an in-memory client model (not a server)', {
  open: async () => createEventStoreDbLedger({ client: new FakeEsdbClient().asClient(), readChunkSize: 7 }),
});

async function readAllOf(ledger: ReturnType<typeof createEventStoreDbLedger>, prefix: string) {
  const out: RecordedEvent[] = [];
  let after: Position = START;
  for (;;) {
    const page = await ledger.readAll({ after, limit: 5, filter: { streamPrefixes: [prefix] } });
    out.push(...page.events);
    after = page.next;
    if (page.isEnd) return out;
  }
}

describe('eventstoredb adapter over an in-memory client model', () => {
  it('resubscribes after its client drops every stream: nothing lost or repeated', async () => {
    const fake = new FakeEsdbClient();
    const ledger = createEventStoreDbLedger({
      client: fake.asClient(),
      subscription: { retryInitialMs: 5, retryMaxMs: 20 },
    });
    const category = newCategory();
    const seen: RecordedEvent[] = [];
    const storeErrors: unknown[] = [];
    const sub = ledger.subscribe(
      { filter: { streamPrefixes: [`${category}-`] }, batchSize: 3 },
      { handle: async (events) => void seen.push(...events), storeError: (e) => void storeErrors.push(e) },
    );
    for (let i = 0; i < 10; i++) await ledger.append(`${category}-${i % 2}`, [testEvent('D', { i })], 'any');
    await fake.dispose();
    const appending = (async () => {
      for (let i = 10; i < 40; i++) {
        await ledger.append(`${category}-${i % 2}`, [testEvent('D', { i })], 'any');
        if (i % 7 === 0) fake.writeSystemEvent();
      }
    })();
    await new Promise((r) => setTimeout(r, 15));
    await fake.dispose();
    await appending;
    const started = Date.now();
    while (seen.length < 40 && Date.now() - started < 5_000) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    await sub.stop();
    expect(storeErrors.length).toBeGreaterThanOrEqual(1);
    expect(seen.map((e) => e.data.i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(seen.map((e) => e.id)).toEqual((await readAllOf(ledger, `${category}-`)).map((e) => e.id));
    await ledger.close();
  });

  it('claims each event id once per append and hides the claims from reads', async () => {
    const fake = new FakeEsdbClient();
    const ledger = createEventStoreDbLedger({ client: fake.asClient() });
    const category = newCategory();
    const events = [testEvent(), testEvent()];
    await ledger.append(`${category}-1`, events, 'no_stream');
    expect(fake.appendCalls).toBe(3);
    const all = await ledger.readAll({ limit: 1000 });
    expect(all.events.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(all.isEnd).toBe(true);
    const claim = await ledger.readStream(`ledger_event_id-${events[0]!.id}`);
    expect(claim.map((c) => c.data)).toEqual([{ stream: `${category}-1`, eventId: events[0]!.id }]);
    await ledger.close();
  });

  it('reports a partial re-append with any as a duplicate event id, with an exact revision as a conflict', async () => {
    const ledger = createEventStoreDbLedger({ client: new FakeEsdbClient().asClient() });
    const stream = `${newCategory()}-1`;
    const [a, b] = [testEvent(), testEvent()];
    await ledger.append(stream, [a!], 'no_stream');
    await expect(ledger.append(stream, [a!, b!], 'any')).rejects.toMatchObject({
      code: 'duplicate_event_id',
    });
    await expect(ledger.append(stream, [a!, b!], 'no_stream')).rejects.toMatchObject({
      code: 'wrong_expected_revision',
      actual: 1n,
    });
    await ledger.close();
  });
});
