import type { TSchema } from '@sinclair/typebox';
import {
  INTEGRATION_TOPICS,
  type IntegrationAggregate,
  IntegrationEnvelope,
  type IntegrationEventDefinition,
  integrationEventDefinitions,
} from './integration-events.js';

/**
 * The AsyncAPI 3.0 document of the public integration events, generated from their TypeBox
 * schemas (the single source of truth): one channel per topic (`pti.booking.v1`,
 * `pti.centre.v1`), one message per event type and version, the message payload being the
 * envelope with `data` replaced by the event's schema. The same messages are served over HTTP as
 * server-sent events (`GET /api/v1/integration/events`, `event:` = the type, `id:` = the position).
 */
export interface AsyncApiOptions {
  readonly version?: string;
  /** `host:port` of a Kafka broker to name as server (default `localhost:9092`). */
  readonly kafkaHost?: string;
  /** Host of the HTTP server streaming the same events (default `localhost:3000`). */
  readonly httpHost?: string;
}

/** A TypeBox schema as plain JSON Schema: no symbols, no `$id` (AsyncAPI refs are by path). */
function plain(schema: TSchema): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  const strip = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) strip(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    delete record.$id;
    for (const value of Object.values(record)) strip(value);
  };
  strip(copy);
  return copy;
}

function messageName(definition: IntegrationEventDefinition): string {
  const camel = definition.type
    .split(/[._]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return `${camel}V${definition.version}`;
}

function channelName(aggregate: IntegrationAggregate): string {
  return `${aggregate}Events`;
}

export function asyncApiDocument(options: AsyncApiOptions = {}): Record<string, unknown> {
  const definitions = Object.values(integrationEventDefinitions) as IntegrationEventDefinition[];
  const envelope = plain(IntegrationEnvelope);
  const envelopeProperties = envelope.properties as Record<string, unknown>;
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const channels: Record<
    string,
    { address: string; description: string; messages: Record<string, unknown> }
  > = {};
  const aggregates = Object.keys(INTEGRATION_TOPICS) as IntegrationAggregate[];
  for (const aggregate of aggregates) {
    channels[channelName(aggregate)] = {
      address: INTEGRATION_TOPICS[aggregate],
      description: `Public events of the ${aggregate} aggregate, keyed by ${aggregate} id (ordered per key).`,
      messages: {},
    };
  }
  for (const definition of definitions) {
    const name = messageName(definition);
    const data = plain(definition.schema);
    schemas[name] = data;
    messages[name] = {
      name: `${definition.type}.v${definition.version}`,
      title: String(data.title ?? name),
      summary: String(data.description ?? ''),
      contentType: 'application/json',
      payload: {
        ...envelope,
        title: `${definition.type} v${definition.version} (envelope)`,
        properties: {
          ...envelopeProperties,
          type: { type: 'string', const: definition.type },
          version: { type: 'integer', const: definition.version },
          aggregateType: { type: 'string', const: definition.aggregate },
          data: { $ref: `#/components/schemas/${name}` },
        },
      },
      bindings: {
        kafka: {
          key: { type: 'string', description: `The ${definition.aggregate} id (aggregateId)` },
          bindingVersion: '0.5.0',
        },
      },
    };
    const channel = channels[channelName(definition.aggregate)];
    if (channel) channel.messages[name] = { $ref: `#/components/messages/${name}` };
  }
  const operations: Record<string, unknown> = {};
  for (const aggregate of aggregates) {
    const channel = channelName(aggregate);
    operations[`publish${aggregate.charAt(0).toUpperCase()}${aggregate.slice(1)}Events`] = {
      action: 'send',
      summary: `The platform publishes ${aggregate} events (at least once; dedupe on id).`,
      channel: { $ref: `#/channels/${channel}` },
      messages: Object.keys(channels[channel]?.messages ?? {}).map((name) => ({
        $ref: `#/channels/${channel}/messages/${name}`,
      })),
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'PTI Calendar integration events',
      version: options.version ?? '1.0.0',
      description:
        'Public, versioned, personal-data-free events of the PTI Calendar booking ledger. Kafka topics keyed by aggregate id; without Kafka, the same stream as server-sent events at /api/v1/integration/events, resumable with Last-Event-ID.',
    },
    defaultContentType: 'application/json',
    servers: {
      kafka: {
        host: options.kafkaHost ?? 'localhost:9092',
        protocol: 'kafka',
        description: 'Kafka (KAFKA_BROKERS)',
      },
      http: {
        host: options.httpHost ?? 'localhost:3000',
        protocol: 'http',
        pathname: '/api/v1/integration/events',
        description: 'Server-sent events, where Kafka is absent',
      },
    },
    channels,
    operations,
    components: { messages, schemas },
  };
}
