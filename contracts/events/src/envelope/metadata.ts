import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { issuesOf, type ValidationIssue } from '../shared/validation.js';
import { Instant } from '../shared/values.js';

/**
 * Who caused an event: the one role list shared by event metadata, the Keycloak realm
 * (`ops/deploy/keycloak/pti-realm.json`, one realm role per entry except `system`) and the
 * platform's authorization (`platform/src/auth`). `system` covers sagas, timers and migrations and
 * is never carried by a token. Roles are only ever added, never renamed (stored events name them).
 */
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
    Type.Literal('analyst'),
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

/**
 * Metadata every stored event carries (DESIGN.md §4). `occurredAt` is a UTC instant with a `Z`
 * suffix (as `Date.prototype.toISOString()` writes it); `schemaVersion` is the version of the
 * payload shape the event was written with (see `upcasting.ts`).
 */
export const EventMetadata = Type.Object(
  {
    tenantId: Type.String({ minLength: 1, maxLength: 64 }),
    actor: Actor,
    correlationId: Type.String({ minLength: 1, maxLength: 100 }),
    causationId: Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]),
    occurredAt: Instant,
    schemaVersion: Type.Integer({ minimum: 1 }),
  },
  { $id: 'EventMetadata', additionalProperties: true },
);
export type EventMetadata = Static<typeof EventMetadata>;

const checkMetadata = TypeCompiler.Compile(EventMetadata);

/** Validates event metadata; returns the issues found (empty when valid). */
export function validateEventMetadata(value: unknown): readonly ValidationIssue[] {
  return checkMetadata.Check(value) ? [] : issuesOf(checkMetadata, value);
}

export function isEventMetadata(value: unknown): value is EventMetadata {
  return checkMetadata.Check(value);
}
