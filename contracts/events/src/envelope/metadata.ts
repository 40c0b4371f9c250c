import { type Static, Type } from '@sinclair/typebox';

/** Who caused an event. `system` covers sagas, timers and migrations. */
export const ActorRole = Type.Union(
  [
    Type.Literal('motorist'),
    Type.Literal('client_pro'),
    Type.Literal('call_centre'),
    Type.Literal('operateur'),
    Type.Literal('controleur'),
    Type.Literal('responsable_centre'),
    Type.Literal('admin_reseau'),
    Type.Literal('auditor'),
    Type.Literal('system'),
  ],
  { $id: 'ActorRole' },
);
export type ActorRole = Static<typeof ActorRole>;

export const Actor = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200 }),
    role: ActorRole,
  },
  { additionalProperties: false },
);
export type Actor = Static<typeof Actor>;

/** Metadata every stored event carries (DESIGN.md §4). */
export const EventMetadata = Type.Object(
  {
    tenantId: Type.String({ minLength: 1, maxLength: 64 }),
    actor: Actor,
    correlationId: Type.String({ minLength: 1, maxLength: 100 }),
    causationId: Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]),
    occurredAt: Type.String({ format: 'date-time' }),
    schemaVersion: Type.Integer({ minimum: 1 }),
  },
  { $id: 'EventMetadata', additionalProperties: true },
);
export type EventMetadata = Static<typeof EventMetadata>;
