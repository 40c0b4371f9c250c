import { randomUUID } from 'node:crypto';
import { INTEGRATION_TOPICS, type MappedIntegrationEvent } from '@pti/events';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { manualClock } from '../runtime/clock.js';
import { createLedgerWorld, WORLD_START } from '../testing/ledger-world.js';
import { closeTestStores, testBackends } from '../testing/test-stores.js';
import { createIntegrationRelay, type IntegrationPublisher } from './integration-relay.js';
import { createKafkaPublisher } from './kafka-publisher.js';

afterAll(closeTestStores);

function recordingPublisher(options: { failing?: () => boolean } = {}) {
  const published: MappedIntegrationEvent[] = [];
  const publisher: IntegrationPublisher = {
    async publish(messages) {
      if (options.failing?.()) throw new Error('broker unavailable');
      published.push(...messages);
    },
    async close() {},
  };
  return { publisher, published };
}

describe.each(testBackends())('integration relay on $name', (backend) => {
  it('publishes public events from its checkpoint, keyed by aggregate id, and resumes after a restart', async () => {
    const stores = await backend.open();
    try {
      const world = createLedgerWorld(stores.ledger, manualClock(WORLD_START));
      await world.registerCentre('lyon-gerland');
      const first = await world.book({ centreId: 'lyon-gerland', start: '10:00', paymentMode: 'on_site' });
      await world.confirmOnSite(first);

      const one = recordingPublisher();
      const relay = createIntegrationRelay({ ...stores, publisher: one.publisher, name: 'test' });
      await relay.start();
      await relay.settle(stores.head());
      await relay.stop();
      expect(one.published.map((m) => [m.topic, m.key, m.envelope.type])).toEqual([
        [INTEGRATION_TOPICS.centre, 'lyon-gerland', 'centre.registered'],
        [INTEGRATION_TOPICS.booking, first.bookingId, 'booking.placed'],
        [INTEGRATION_TOPICS.booking, first.bookingId, 'booking.confirmed'],
      ]);
      expect(JSON.stringify(one.published)).not.toContain('camille');

      // Stopped: new events wait; a failing broker publishes nothing and checkpoints nothing.
      const second = await world.book({ centreId: 'lyon-gerland', start: '11:00', paymentMode: 'on_site' });
      let down = true;
      const two = recordingPublisher({ failing: () => down });
      const restarted = createIntegrationRelay({ ...stores, publisher: two.publisher, name: 'test' });
      const before = await restarted.checkpoint();
      await restarted.start();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(two.published).toEqual([]);
      expect(await restarted.checkpoint()).toEqual(before);
      down = false;
      await restarted.settle(stores.head(), 15_000);
      await restarted.stop();
      expect(two.published.map((m) => [m.key, m.envelope.type])).toEqual([
        [second.bookingId, 'booking.placed'],
      ]);
    } finally {
      await stores.close();
    }
  }, 60_000);
});

const brokers = process.env.KAFKA_BROKERS;
if (!brokers) console.info('[sagas] KAFKA_BROKERS unset: Kafka relay contract test skipped');

describe.skipIf(!brokers)('integration relay to Kafka (KAFKA_BROKERS)', () => {
  it('publishes to the aggregate topics, keyed by aggregate id, with the envelope as value', async () => {
    const list = (brokers ?? '').split(',').map((broker) => broker.trim());
    const [backend] = testBackends();
    if (backend === undefined) throw new Error('no backend');
    const stores = await backend.open();
    const kafka = new Kafka({ clientId: 'pti-relay-test', brokers: list, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `pti-relay-test-${randomUUID()}` });
    try {
      const world = createLedgerWorld(stores.ledger, manualClock(WORLD_START));
      const centreId = `kafka-${randomUUID().slice(0, 8)}`;
      await world.registerCentre(centreId);
      const slot = await world.book({ centreId, start: '10:00', paymentMode: 'on_site' });
      const relay = createIntegrationRelay({
        ...stores,
        publisher: await createKafkaPublisher({ brokers: list }),
        name: 'kafka-test',
      });
      await relay.start();
      await relay.settle(stores.head(), 30_000);
      await relay.stop();

      const received: { topic: string; key: string; type: string; headerId: string }[] = [];
      await consumer.connect();
      await consumer.subscribe({ topics: Object.values(INTEGRATION_TOPICS), fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ topic, message }) => {
          const envelope = JSON.parse(message.value?.toString() ?? '{}') as {
            aggregateId: string;
            type: string;
          };
          if (envelope.aggregateId !== centreId && envelope.aggregateId !== slot.bookingId) return;
          received.push({
            topic,
            key: message.key?.toString() ?? '',
            type: envelope.type,
            headerId: message.headers?.['event-id']?.toString() ?? '',
          });
        },
      });
      const deadline = Date.now() + 30_000;
      while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(received.map(({ topic, key, type }) => [topic, key, type])).toEqual([
        [INTEGRATION_TOPICS.centre, centreId, 'centre.registered'],
        [INTEGRATION_TOPICS.booking, slot.bookingId, 'booking.placed'],
      ]);
      expect(received.every((message) => message.headerId !== '')).toBe(true);
    } finally {
      await consumer.disconnect();
      await stores.close();
    }
  }, 120_000);
});
