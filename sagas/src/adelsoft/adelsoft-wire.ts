import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * The AdelSoft connector's shapes, as `adelsoft-connector.openapi.yaml` defines them (the adapter,
 * the simulator and the webhook route all validate with these).
 */

const EntityId = Type.String({ pattern: '^(?=.{1,64}$)[a-z0-9]+(?:-[a-z0-9]+)*$' });
const LocalDateTime = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$' });
const Duration = Type.Integer({ minimum: 1, maximum: 480 });

export const CENTRE_CODE_PATTERN = '^[A-Z0-9][A-Z0-9_-]{1,49}$';

export const Appointment = Type.Object(
  {
    bookingId: EntityId,
    reference: Type.String({ pattern: '^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$' }),
    start: LocalDateTime,
    durationMinutes: Duration,
    controlType: Type.Union(['CTP', 'CVP', 'CV', 'CTC', 'CVC'].map((c) => Type.Literal(c))),
    vehicle: Type.Object(
      {
        plate: Type.String({ maxLength: 12 }),
        category: Type.Union(['VP', 'VU', 'Moto', 'Cyclo'].map((c) => Type.Literal(c))),
        fuel: Type.Union(['Essence', 'Diesel', 'Gaz', 'Hybride', 'Electrique'].map((c) => Type.Literal(c))),
      },
      { additionalProperties: false },
    ),
    customer: Type.Object(
      {
        name: Type.String({ maxLength: 200 }),
        phone: Type.String(),
        email: Type.String({ maxLength: 254 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type Appointment = Static<typeof Appointment>;

export const AppointmentChange = Type.Object(
  { start: LocalDateTime, durationMinutes: Duration },
  { additionalProperties: false },
);
export type AppointmentChange = Static<typeof AppointmentChange>;

export const AppointmentReceipt = Type.Object({
  appointmentId: Type.String(),
  bookingId: EntityId,
  status: Type.Union([Type.Literal('scheduled'), Type.Literal('cancelled')]),
  start: Type.Optional(LocalDateTime),
});
export type AppointmentReceipt = Static<typeof AppointmentReceipt>;

export const InspectionResult = Type.Object(
  {
    resultId: Type.String({ minLength: 1, maxLength: 100 }),
    bookingId: EntityId,
    centreCode: Type.String(),
    result: Type.Union([Type.Literal('A'), Type.Literal('S'), Type.Literal('R')]),
    inspectorId: Type.Optional(Type.Union([EntityId, Type.Null()])),
    completedAt: Type.String(),
  },
  { additionalProperties: false },
);
export type InspectionResult = Static<typeof InspectionResult>;

export const ResultPage = Type.Object(
  { results: Type.Array(InspectionResult), next: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);
export type ResultPage = Static<typeof ResultPage>;

export const ResultsWebhook = Type.Object(
  { results: Type.Array(InspectionResult, { maxItems: 500 }) },
  { additionalProperties: false },
);
export type ResultsWebhook = Static<typeof ResultsWebhook>;

export const isAppointment = (value: unknown): value is Appointment => Value.Check(Appointment, value);
export const isAppointmentChange = (value: unknown): value is AppointmentChange =>
  Value.Check(AppointmentChange, value);
export const isResultPage = (value: unknown): value is ResultPage => Value.Check(ResultPage, value);
export const isResultsWebhook = (value: unknown): value is ResultsWebhook =>
  Value.Check(ResultsWebhook, value);

export const SIGNATURE_HEADER = 'x-adelsoft-signature';

/** `sha256=<hex>` of the raw webhook body. */
export function webhookSignature(rawBody: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

export function webhookSignatureMatches(
  rawBody: string,
  header: string | undefined,
  secret: string,
): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(webhookSignature(rawBody, secret), 'utf8');
  const actual = Buffer.from(header.trim().toLowerCase(), 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
