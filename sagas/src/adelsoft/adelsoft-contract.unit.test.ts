import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** The connector's OpenAPI file is the contract the adapter and the simulator implement. */
describe('AdelSoft connector contract', () => {
  const document = parse(
    readFileSync(new URL('./adelsoft-connector.openapi.yaml', import.meta.url), 'utf8'),
  ) as {
    openapi: string;
    paths: Record<
      string,
      Record<string, { operationId: string; parameters?: { $ref?: string; name?: string }[] }>
    >;
    webhooks: Record<string, unknown>;
    components: { schemas: Record<string, { required?: string[] }> };
  };

  it('is OpenAPI 3.1 with the operations the adapter calls', () => {
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(
        ([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`,
      ),
    );
    expect(operations).toEqual([
      'POST /v1/centres/{centreCode}/appointments createAppointment',
      'PUT /v1/centres/{centreCode}/appointments/{bookingId} moveAppointment',
      'DELETE /v1/centres/{centreCode}/appointments/{bookingId} cancelAppointment',
      'GET /v1/results listResults',
    ]);
    expect(Object.keys(document.webhooks)).toEqual(['inspectionResults']);
  });

  it('requires an Idempotency-Key on every push', () => {
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        if (method === 'get') continue;
        const refs = (operation.parameters ?? []).map((parameter) => parameter.$ref);
        expect(refs, `${method} ${path}`).toContain('#/components/parameters/IdempotencyKey');
      }
    }
  });

  it('describes the appointment and the result as the wire schemas check them', () => {
    expect(document.components.schemas.Appointment?.required).toEqual([
      'bookingId',
      'reference',
      'start',
      'durationMinutes',
      'controlType',
      'vehicle',
      'customer',
    ]);
    expect(document.components.schemas.InspectionResult?.required).toEqual([
      'resultId',
      'bookingId',
      'centreCode',
      'result',
      'completedAt',
    ]);
  });
});
