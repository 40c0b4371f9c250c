import { requirePermission } from '@pti/platform';
import { type Static, Type } from '@sinclair/typebox';
import type { ReadApiApp, RouteContext } from '../app/route-context.js';
import { neverStore } from '../http/cache-control.js';
import { dateErrors } from '../http/local-dates.js';
import { invalidRequest, notFound, replyProblem, STAFF_PROBLEMS } from '../http/problem.js';
import {
  Accreditation,
  BookingStatus,
  ControlType,
  EntityId,
  Fuel,
  InspectionResult,
  LocalDate,
  LocalTime,
  Nullable,
  VehicleCategory,
} from '../http/schemas.js';
import { callerOf, scopeProblem, tenantScopeOf } from '../http/staff-auth.js';
import type { AgendaEntry, CentreDayAgenda } from '../ports/read-models.js';

/** Staff: a centre's day plan, one column per inspector (agenda.read, centre-scoped). */

const AgendaEntryView = Type.Object({
  bookingId: Type.String(),
  reference: Type.String(),
  reservationId: Type.String(),
  start: LocalTime,
  end: LocalTime,
  durationMinutes: Type.Integer({ minimum: 1 }),
  overbooked: Type.Boolean(),
  controlType: ControlType,
  vehicle: Type.Object({ plate: Nullable(Type.String()), category: VehicleCategory, fuel: Fuel }),
  customerName: Nullable(Type.String()),
  customerPhone: Nullable(Type.String()),
  status: BookingStatus,
  result: Nullable(InspectionResult),
});

const BlockView = Type.Object({
  blockId: Type.String({ description: 'Id to lift the block with (DELETE …/days/{date}/blocks/{blockId})' }),
  from: LocalTime,
  to: LocalTime,
  label: Type.String(),
});

const AgendaView = Type.Object({
  centre: Type.Object({ centreId: Type.String(), name: Type.String() }),
  date: LocalDate,
  inspectors: Type.Array(
    Type.Object({
      inspectorId: Type.String(),
      name: Type.String(),
      accreditations: Type.Array(Accreditation),
      entries: Type.Array(AgendaEntryView),
      blocks: Type.Array(BlockView, { description: 'Blocked periods of this inspector' }),
    }),
  ),
  unassigned: Type.Array(AgendaEntryView, {
    description: 'Overbooked reservations waiting for an inspector, and any whose inspector is not working',
  }),
  centreBlocks: Type.Array(BlockView, { description: 'Blocked periods of the whole centre' }),
});
type AgendaView = Static<typeof AgendaView>;
type AgendaEntryView = Static<typeof AgendaEntryView>;

function entryView(entry: AgendaEntry): AgendaEntryView {
  return {
    bookingId: entry.bookingId,
    reference: entry.reference,
    reservationId: entry.reservationId,
    start: entry.start,
    end: entry.end,
    durationMinutes: entry.durationMinutes,
    overbooked: entry.overbooked,
    controlType: entry.controlType,
    vehicle: { plate: entry.vehicle.plate, category: entry.vehicle.category, fuel: entry.vehicle.fuel },
    customerName: entry.customerName,
    customerPhone: entry.customerPhone,
    status: entry.status,
    result: entry.result,
  };
}

const byStart = (a: AgendaEntry, b: AgendaEntry) => a.start.localeCompare(b.start);

/** The day grouped per inspector; `inspectorId` narrows it to one column. */
export function agendaPerInspector(
  agenda: CentreDayAgenda,
  centreName: string,
  inspectorId?: string,
): AgendaView {
  const working = new Set(agenda.inspectors.map((inspector) => inspector.inspectorId));
  const inspectors = agenda.inspectors
    .filter((inspector) => inspectorId === undefined || inspector.inspectorId === inspectorId)
    .map((inspector) => ({
      inspectorId: inspector.inspectorId,
      name: inspector.name,
      accreditations: [...inspector.accreditations],
      entries: agenda.entries
        .filter((entry) => entry.inspectorId === inspector.inspectorId)
        .sort(byStart)
        .map(entryView),
      blocks: agenda.blocks
        .filter((block) => block.inspectorId === inspector.inspectorId)
        .map(({ blockId, from, to, label }) => ({ blockId, from, to, label })),
    }));
  const unassigned =
    inspectorId === undefined
      ? agenda.entries
          .filter((entry) => entry.inspectorId === null || !working.has(entry.inspectorId))
          .sort(byStart)
          .map(entryView)
      : [];
  return {
    centre: { centreId: agenda.centreId, name: centreName },
    date: agenda.date,
    inspectors,
    unassigned,
    centreBlocks: agenda.blocks
      .filter((block) => block.inspectorId === null)
      .map(({ blockId, from, to, label }) => ({ blockId, from, to, label })),
  };
}

export function registerAgendaRoutes(app: ReadApiApp, context: RouteContext): void {
  app.get(
    '/staff/centres/:centreId/agenda/:date',
    {
      preHandler: requirePermission('agenda.read'),
      schema: {
        operationId: 'getCentreDayAgenda',
        tags: ['staff'],
        summary: 'A centre’s day plan per inspector',
        security: [{ bearerAuth: [] }],
        params: Type.Object({ centreId: EntityId, date: LocalDate }),
        querystring: Type.Object(
          { inspectorId: Type.Optional({ ...EntityId, description: 'Only this inspector’s column' }) },
          { additionalProperties: false },
        ),
        response: { 200: AgendaView, ...STAFF_PROBLEMS },
      },
    },
    async (request, reply) => {
      neverStore(reply);
      const principal = callerOf(request);
      const { centreId, date } = request.params;
      const errors = dateErrors(date, '/params/date');
      if (errors.length > 0) return replyProblem(reply, invalidRequest(errors));
      const centre = await context.ports.centreById(centreId);
      if (centre === null) return replyProblem(reply, notFound());
      const refusal = scopeProblem(principal, 'agenda.read', { tenantId: centre.tenantId, centreId });
      if (refusal !== null) return replyProblem(reply, refusal);
      const agenda = await context.ports.centreDayAgenda(tenantScopeOf(principal), centreId, date);
      if (agenda === null) return replyProblem(reply, notFound());
      return agendaPerInspector(agenda, centre.name, request.query.inspectorId);
    },
  );
}
