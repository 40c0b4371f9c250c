import { INTEGRATION_TOPICS, type MappedIntegrationEvent } from '@pti/events';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { IntegrationPublisher } from './integration-relay.js';

/**
 * Publishes integration events to Kafka with kafkajs: an idempotent producer (the broker drops a
 * retried batch it already stored; `acks: all` and one request in flight keep per-key order), one
 * message per event on its aggregate's topic (`pti.booking.v1`, `pti.centre.v1`), keyed by the
 * aggregate id so a booking's events stay in one partition, in order. The headers repeat the
 * envelope's id, type and version so consumers can route without parsing the value.
 */
export interface KafkaPublisherOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** Create the topics when missing (default true; partitions default 6). */
  readonly createTopics?: boolean;
  readonly partitions?: number;
}

export async function createKafkaPublisher(options: KafkaPublisherOptions): Promise<IntegrationPublisher> {
  const kafka = new Kafka({
    clientId: options.clientId ?? 'pti-integration-relay',
    brokers: [...options.brokers],
    logLevel: logLevel.WARN,
  });
  if (options.createTopics !== false) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = Object.values(INTEGRATION_TOPICS).filter((topic) => !existing.has(topic));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: options.partitions ?? 6 })),
        });
      }
    } finally {
      await admin.disconnect();
    }
  }
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return {
    async publish(messages) {
      const byTopic = new Map<string, MappedIntegrationEvent[]>();
      for (const message of messages) {
        const list = byTopic.get(message.topic) ?? [];
        list.push(message);
        byTopic.set(message.topic, list);
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map((message) => ({
            key: message.key,
            value: JSON.stringify(message.envelope),
            headers: {
              'event-id': message.envelope.id,
              'event-type': message.envelope.type,
              'event-version': String(message.envelope.version),
            },
          })),
        })),
      });
    },
    close: () => producer.disconnect(),
  };
}
