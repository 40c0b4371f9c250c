import { EventStoreDBClient } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { eventStoreUrlForTests } from '../../testing/test-stores.js';
import { describeLedgerContract, newCategory, testEvent } from '../ledger-contract.js';
import { type Position, type RecordedEvent, START } from '../ledger-port.js';
import { createEventStoreDbLedger } from './eventstoredb-ledger.js';

const url = await eventStoreUrlForTests();

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

if (url) {
  const connectionString = url;
  describeLedgerContract('eventstoredb', {
    open: async () => createEventStoreDbLedger({ connectionString }),
  });

  describe('eventstoredb adapter', () => {
    it('resubscribes from its checkpoint after the connection drops: nothing lost or repeated', async () => {
      const writer = createEventStoreDbLedger({ connectionString });
      // The subscriber gets its own client, so the test can cut its streams without touching the writer.
      const subscriberClient = EventStoreDBClient.connectionString(connectionString);
      const subscriber = createEventStoreDbLedger({
        client: subscriberClient,
        subscription: { retryInitialMs: 20, retryMaxMs: 200 },
      });
      try {
        const category = newCategory();
        const seen: RecordedEvent[] = [];
        const storeErrors: unknown[] = [];
        const sub = subscriber.subscribe(
          { filter: { streamPrefixes: [`${category}-`] }, batchSize: 3 },
          {
            handle: async (events) => void seen.push(...events),
            storeError: (error) => void storeErrors.push(error),
          },
        );
        for (let i = 0; i < 10; i++)
          await writer.append(`${category}-${i % 2}`, [testEvent('D', { i })], 'any');
        await until(() => seen.length >= 10, 10_000, 'the first 10 events');

        // Drop every stream of the subscriber's client, twice, once while appends are in flight.
        await subscriberClient.dispose();
        const appending = (async () => {
          for (let i = 10; i < 40; i++)
            await writer.append(`${category}-${i % 2}`, [testEvent('D', { i })], 'any');
        })();
        await new Promise((r) => setTimeout(r, 30));
        await subscriberClient.dispose();
        await appending;
        await until(() => seen.length >= 40, 15_000, 'all 40 events');
        await new Promise((r) => setTimeout(r, 300));
        await sub.stop();

        expect(storeErrors.length).toBeGreaterThanOrEqual(1);
        expect(seen.map((e) => e.data.i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
        let after: Position = START;
        const reference: RecordedEvent[] = [];
        for (;;) {
          const page = await writer.readAll({
            after,
            limit: 100,
            filter: { streamPrefixes: [`${category}-`] },
          });
          reference.push(...page.events);
          after = page.next;
          if (page.isEnd) break;
        }
        expect(seen.map((e) => e.id)).toEqual(reference.map((e) => e.id));
      } finally {
        await subscriber.close();
        await subscriberClient.dispose();
        await writer.close();
      }
    });

    it('hides its event-id claims and system events from readAll', async () => {
      const ledger = createEventStoreDbLedger({ connectionString });
      try {
        const category = newCategory();
        const first = await ledger.append(`${category}-1`, [testEvent('First')], 'no_stream');
        // The second append writes its id claim (a stream of its own) before the event itself.
        const event = testEvent('Visible');
        await ledger.append(`${category}-1`, [event], 1n);
        const page = await ledger.readAll({ after: first.position, limit: 50 });
        const hidden = page.events.filter(
          (e) => e.streamName.startsWith('$') || e.streamName.startsWith('ledger_event_id-'),
        );
        expect(hidden).toEqual([]);
        expect(page.events.map((e) => e.id)).toContain(event.id);
        const claims = await ledger.readStream(`ledger_event_id-${event.id}`);
        expect(claims.map((c) => c.data.stream)).toEqual([`${category}-1`]);
        await ledger.ping();
      } finally {
        await ledger.close();
      }
    });
  });
} else {
  console.info(
    '[ledger contract] eventstoredb: EVENTSTORE_URL unset and no Docker engine answered — EventStoreDB contract skipped',
  );
  describe('ledger contract: eventstoredb', () => {
    it.skip('EVENTSTORE_URL unset and no Docker engine answered: EventStoreDB contract and adapter tests skipped', () => {});
  });
}
