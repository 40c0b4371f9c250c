import { CentreId, ENTITY_ID_PATTERN, EntityId, LocalDate } from '@pti/events';
import { Type } from '@sinclair/typebox';

/**
 * Schemas shared by the command routes. Request objects are closed (`additionalProperties: false`):
 * an unknown field is a VALIDATION_FAILED, never silently ignored. Value formats come from the events
 * contract (ids, local dates and times), so what the API accepts is what the ledger may store; the
 * finer rules (plates, phone numbers, SIRET checksums, opening-hour overlaps) are the deciders'.
 */

export const closed = { additionalProperties: false } as const;

/** Body limit of every command route: a booking is well under 2 KiB, a full price list ~20 KiB. */
export const COMMAND_BODY_LIMIT = 64 * 1024;

export const CentreParams = Type.Object({ centreId: CentreId }, closed);
export const DayParams = Type.Object({ centreId: CentreId, date: LocalDate }, closed);
export const BookingParams = Type.Object({ bookingId: EntityId }, closed);

/** A command's answer on a centre: the stream revision is also sent as the ETag. */
export const CentreCommandResponse = Type.Object({
  centreId: Type.String(),
  revision: Type.Integer({ description: 'Revision of the centre stream after the command (ETag)' }),
  closureId: Type.Optional(Type.String()),
  inspectorId: Type.Optional(Type.String()),
  absenceId: Type.Optional(Type.String()),
});

export const CalendarCommandResponse = Type.Object({
  centreId: Type.String(),
  date: Type.String(),
  revision: Type.Integer({ description: 'Revision of the calendar stream of the day after the command' }),
  blockId: Type.Optional(Type.String()),
  reservationId: Type.Optional(Type.String()),
  inspectorId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  entryId: Type.Optional(Type.String()),
});

export const BookingResponse = Type.Object({
  bookingId: Type.String(),
  reference: Type.String(),
  status: Type.String(),
  centreId: Type.String(),
  start: Type.String({ description: 'Local YYYY-MM-DDTHH:MM at the centre' }),
  end: Type.String(),
  priceCents: Type.Integer(),
  paymentMode: Type.String(),
  holdExpiresAt: Type.String(),
  inspectorId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  refundEligible: Type.Optional(Type.Boolean()),
  result: Type.Optional(Type.String()),
  contreVisiteDueBy: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

export const OptionalId = (description: string) =>
  Type.Optional(Type.String({ pattern: ENTITY_ID_PATTERN, maxLength: 64, description }));

export const staffSecurity = [{ bearerAuth: [] }];
