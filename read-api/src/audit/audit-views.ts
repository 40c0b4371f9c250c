import { type Static, Type } from '@sinclair/typebox';
import { Nullable, StringEnum } from '../http/schemas.js';
import type { AuditEntry } from '../ports/read-models.js';

/** An event as staff and auditors read it: envelope facts and the event's data. */

const ACTOR_ROLES = [
  'motorist',
  'client_pro',
  'call_centre',
  'operateur',
  'controleur',
  'responsable_centre',
  'admin_reseau',
  'auditor',
  'analyst',
  'system',
] as const;

export const ActorView = Type.Object({ id: Type.String(), role: StringEnum(ACTOR_ROLES) });

/** Free-form JSON object (event data, aggregate state): serialised as is. */
export const JsonObject = Type.Unsafe<Record<string, unknown>>({
  type: 'object',
  additionalProperties: true,
});

export const AuditEntryView = Type.Object({
  eventId: Type.String(),
  stream: Type.String(),
  revision: Type.Integer({ minimum: 0 }),
  type: Type.String(),
  occurredAt: Type.String({ format: 'date-time' }),
  actor: ActorView,
  correlationId: Type.String(),
  causationId: Nullable(Type.String()),
  data: JsonObject,
});
export type AuditEntryView = Static<typeof AuditEntryView>;

export function auditEntryView(entry: AuditEntry): AuditEntryView {
  return {
    eventId: entry.eventId,
    stream: entry.stream,
    revision: entry.revision,
    type: entry.type,
    occurredAt: entry.occurredAt,
    actor: { id: entry.actor.id, role: entry.actor.role },
    correlationId: entry.correlationId,
    causationId: entry.causationId,
    data: { ...entry.data },
  };
}
