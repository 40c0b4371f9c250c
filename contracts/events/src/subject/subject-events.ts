import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Actor } from '../envelope/metadata.js';
import { type EventDefinitions, type EventUnion, eventSchema } from '../shared/definition.js';
import { issuesOf, type ValidationIssue } from '../shared/validation.js';
import { EntityId, Instant, isEntityId } from '../shared/values.js';

/**
 * Events about a data subject (a customer, a fleet contact, an inspector) rather than an
 * aggregate, stream `subject-<subjectId>`. They are appended by the personal-data vault
 * (`platform/src/personal-data`), never by a decider, and are not part of the domain catalogue
 * (`catalogue.ts` lists the three aggregates' events): subscribe with the prefix
 * {@link SUBJECT_STREAM_PREFIX} to see them. They carry no personal data.
 */

export const SUBJECT_STREAM_CATEGORY = 'subject';
export const SUBJECT_STREAM_PREFIX = `${SUBJECT_STREAM_CATEGORY}-`;

/** `subject-<subjectId>`; the id follows the entity-id rule (`values.ts`). */
export function subjectStream(subjectId: string): string {
  if (!isEntityId(subjectId)) {
    throw new RangeError(
      `invalid subject id ${JSON.stringify(subjectId)}: expected lower-case letters and digits in groups joined by single hyphens (1–64 characters)`,
    );
  }
  return `${SUBJECT_STREAM_PREFIX}${subjectId}`;
}

/**
 * Why personal data was erased: the person asked (RGPD art. 17, through staff or the CLI), or
 * the retention period of everything held about them ran out. A closed list on purpose: free text
 * here could itself hold personal data.
 */
export const ErasureReason = Type.Union([Type.Literal('subject_request'), Type.Literal('retention_expired')]);
export type ErasureReason = Static<typeof ErasureReason>;

export const PersonalDataErased = eventSchema(
  'PersonalDataErased',
  "The subject's data key was destroyed (crypto-shredding): every personal field encrypted with it now reads as erased, and read models scrubbed the subject's rows.",
  {
    subjectId: EntityId,
    erasedAt: Instant,
    reason: ErasureReason,
    /** Who ordered the erasure (`system` for the retention job). */
    requestedBy: Actor,
    /** Generation of the destroyed key; `null` when the subject held no key (already erased, or unknown). */
    keyGeneration: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  },
);
export type PersonalDataErased = Static<typeof PersonalDataErased>;

export const subjectEventDefinitions = {
  PersonalDataErased: { schema: PersonalDataErased, schemaVersion: 1 },
} as const satisfies EventDefinitions;

export type SubjectEventType = keyof typeof subjectEventDefinitions;
export type SubjectEvent = EventUnion<typeof subjectEventDefinitions>;

export const personalDataErasedSample: PersonalDataErased = {
  subjectId: '5d6e7f80-91a2-4b3c-8d4e-5f60718293a4',
  erasedAt: '2025-06-02T09:15:00.000Z',
  reason: 'subject_request',
  requestedBy: { id: 'admin-reseau-1', role: 'admin_reseau' },
  keyGeneration: 1,
};

const checkErased = TypeCompiler.Compile(PersonalDataErased);

/** Validates a `PersonalDataErased` payload; returns the issues found (empty when valid). */
export function validatePersonalDataErased(data: unknown): readonly ValidationIssue[] {
  return checkErased.Check(data) ? [] : issuesOf(checkErased, data);
}

export function isPersonalDataErased(data: unknown): data is PersonalDataErased {
  return checkErased.Check(data);
}
