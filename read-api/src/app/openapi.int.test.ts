import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../testing/test-app.js';

let app: FastifyInstance;
let document: {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, unknown> };
};

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

beforeAll(async () => {
  app = await buildTestApp();
  const response = await app.inject({ method: 'GET', url: '/docs/json' });
  expect(response.statusCode).toBe(200);
  document = JSON.parse(response.body) as typeof document;
});
afterAll(async () => {
  await app.close();
});

const operations = () =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    // The parser dereferences in place: it gets its own copy, read from the served text.
    const served = JSON.parse(JSON.stringify(document)) as OpenAPIV3_1.Document;
    await expect(SwaggerParser.validate(served)).resolves.toBeDefined();
  });

  it('documents every read route under /api/v1, with a unique operationId and a tag', () => {
    const ids = operations().map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(
      [
        'findFirstFreeSlots',
        'getAuditTrail',
        'getBookingByManageToken',
        'getBookingCalendarFile',
        'getBookingConfirmationPdf',
        'getCentre',
        'getCentreAvailability',
        'getCentreDayAgenda',
        'getCentreReporting',
        'getProjectionStatus',
        'getStaffBooking',
        'getStreamStateAtInstant',
        'listCustomerBookings',
        'listFleetBookings',
        'lookupBooking',
        'searchCentres',
        'searchCustomers',
      ].sort(),
    );
    for (const { path, operation } of operations()) {
      expect(path.startsWith('/api/v1/'), path).toBe(true);
      expect(operation.tags?.length, path).toBe(1);
    }
  });

  it('describes the success and the problem answers of every route', () => {
    for (const { path, operation } of operations()) {
      const success = operation.responses['200'];
      expect(success?.content, path).toBeDefined();
      for (const status of ['400', '404', '429', '500']) {
        expect(Object.keys(operation.responses[status]?.content ?? {}), `${path} ${status}`).toEqual([
          'application/problem+json',
        ]);
      }
    }
    const reporting = document.paths['/api/v1/staff/centres/{centreId}/reporting']?.get;
    expect(Object.keys(reporting?.responses['200']?.content ?? {})).toEqual(['application/json', 'text/csv']);
    const ics = document.paths['/api/v1/bookings/{reference}/calendar.ics']?.get;
    expect(Object.keys(ics?.responses['200']?.content ?? {})).toEqual(['text/calendar']);
  });

  it('marks the routes needing a bearer token, and only those', () => {
    expect(document.components?.securitySchemes).toHaveProperty('bearerAuth');
    for (const { path, operation } of operations()) {
      const staff =
        path.startsWith('/api/v1/staff/') ||
        path.startsWith('/api/v1/audit/') ||
        path.startsWith('/api/v1/ops/') ||
        path.startsWith('/api/v1/pro/');
      expect(operation.security !== undefined, path).toBe(staff);
      expect(operation.responses['401'] !== undefined, path).toBe(staff);
    }
  });
});
