import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';
import { DOMAIN_EVENT_TYPES, type DomainEvent } from '../catalogue.js';
import type { EventMetadata } from '../envelope/metadata.js';
import { eventSamples } from '../samples.js';
import { isPersonal } from '../shared/personal.js';
import { asyncApiDocument } from './asyncapi.js';
import {
  INTEGRATION_TOPICS,
  IntegrationEnvelope,
  type IntegrationEventDefinition,
  integrationEventDefinition,
  integrationEventDefinitions,
} from './integration-events.js';
import { PUBLISHED_DOMAIN_EVENT_TYPES, toIntegrationEvent } from './map-domain-events.js';

const metadata: EventMetadata = {
  tenantId: 'tenant-1',
  actor: { id: 'motorist-1', role: 'motorist' },
  correlationId: 'corr-1',
  causationId: null,
  occurredAt: '2026-06-15T08:00:00.000Z',
  schemaVersion: 1,
};

const definitions = Object.values(integrationEventDefinitions) as IntegrationEventDefinition[];

/** Every string value of a JSON value, at any depth. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

function schemaNodes(schema: unknown): Record<string, unknown>[] {
  if (Array.isArray(schema)) return schema.flatMap(schemaNodes);
  if (typeof schema !== 'object' || schema === null) return [];
  return [schema as Record<string, unknown>, ...Object.values(schema).flatMap(schemaNodes)];
}

describe('public integration events', () => {
  it('map every sample of a published domain event to a valid, versioned envelope and payload', () => {
    const envelopeCheck = TypeCompiler.Compile(IntegrationEnvelope);
    for (const type of DOMAIN_EVENT_TYPES) {
      const event = { type, data: eventSamples[type] } as DomainEvent;
      const mapped = toIntegrationEvent({
        id: '0b9e7f5c-7a43-4c35-9d2e-2f0b3c1d4e5f',
        event,
        metadata,
        position: '12/7',
      });
      const published = (PUBLISHED_DOMAIN_EVENT_TYPES as readonly string[]).includes(type);
      expect(mapped !== null, type).toBe(published);
      if (mapped === null) continue;
      expect(envelopeCheck.Check(mapped.envelope), type).toBe(true);
      const definition = integrationEventDefinition(mapped.envelope.type, mapped.envelope.version);
      expect(definition, mapped.envelope.type).toBeDefined();
      const check = TypeCompiler.Compile(definition?.schema ?? IntegrationEnvelope);
      expect([...check.Errors(mapped.envelope.data)], mapped.envelope.type).toEqual([]);
      expect(mapped.topic).toBe(INTEGRATION_TOPICS[mapped.envelope.aggregateType]);
      expect(mapped.key).toBe(mapped.envelope.aggregateId);
    }
  });

  it('carry no personal data: no personal schema node, no personal sample value', () => {
    for (const definition of definitions) {
      expect(
        schemaNodes(definition.schema).some((node) => isPersonal(node as never)),
        definition.type,
      ).toBe(false);
    }
    const placed = eventSamples.BookingPlaced;
    const mapped = toIntegrationEvent({
      id: '0b9e7f5c-7a43-4c35-9d2e-2f0b3c1d4e5f',
      event: { type: 'BookingPlaced', data: placed },
      metadata,
      position: '1/1',
    });
    const values = strings(mapped?.envelope.data);
    const customer = placed.customer;
    for (const secret of [
      customer.name,
      customer.email,
      customer.phone,
      placed.vehicle.plate,
      placed.customerId,
    ]) {
      expect(values).not.toContain(secret);
    }
  });

  it('generate an AsyncAPI 3 document that @asyncapi/parser validates', async () => {
    const document = asyncApiDocument();
    const parser = new Parser();
    const { document: parsed, diagnostics } = await parser.parse(JSON.stringify(document));
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 0);
    expect(errors.map((error) => `${error.path.join('.')}: ${error.message}`)).toEqual([]);
    expect(parsed).toBeDefined();
    expect(parsed?.version()).toBe('3.0.0');
    expect(
      parsed
        ?.channels()
        .all()
        .map((channel) => channel.address())
        .sort(),
    ).toEqual(Object.values(INTEGRATION_TOPICS).sort());
    expect(parsed?.messages().all().length).toBe(definitions.length);
    expect(
      parsed
        ?.operations()
        .all()
        .every((operation) => operation.action() === 'send'),
    ).toBe(true);
  });

  it('keep the committed asyncapi.json equal to what the schemas generate', () => {
    // Regenerate from contracts/events: node --conditions=pti-source --import tsx -e
    //   "import('./src/integration/asyncapi.ts').then((m) => process.stdout.write(JSON.stringify(m.asyncApiDocument(), null, 2)))" > asyncapi.json
    const committed = JSON.parse(readFileSync(new URL('../../asyncapi.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(asyncApiDocument());
  });
});
