import { randomUUID } from 'node:crypto';
import {
  type Actor,
  type ErasureReason,
  isEntityId,
  type PersonalDataErased,
  subjectEventDefinitions,
  subjectStream,
} from '@pti/events';
import { type Ledger, positionToString } from '../ledger/ledger-port.js';
import type { RetentionKind } from './retention-policy.js';
import type { Vault } from './vault.js';

/**
 * A holder of personal data outside the ledger (a read model, a saga's table) that takes part in
 * erasure, access requests and retention. Read models register one each (later issues); the
 * registry calls them in registration order.
 */
export interface ErasureParticipant {
  /** Stable name, shown in reports (`bookings`, `customers`, …). */
  readonly name: string;
  /** Deletes or anonymises every row about the subject; returns the rows touched. Must be idempotent. */
  scrub(subjectId: string): Promise<number>;
  /** Everything held about the subject, as JSON-ready data, for an access request. */
  export?(subjectId: string): Promise<unknown>;
  /** Deletes rows past retention (e.g. audit rows older than its cutoff); returns rows deleted. */
  prune?(cutoffs: Readonly<Partial<Record<RetentionKind, Date>>>): Promise<number>;
}

export interface ErasureRegistry {
  /** Adds a participant; returns a function that removes it. Names are unique. */
  register(participant: ErasureParticipant): () => void;
  list(): readonly ErasureParticipant[];
}

export function createErasureRegistry(initial: readonly ErasureParticipant[] = []): ErasureRegistry {
  const participants: ErasureParticipant[] = [];
  const registry: ErasureRegistry = {
    register(participant) {
      if (participants.some((p) => p.name === participant.name))
        throw new Error(`an erasure participant named ${participant.name} is already registered`);
      participants.push(participant);
      return () => {
        const at = participants.indexOf(participant);
        if (at >= 0) participants.splice(at, 1);
      };
    },
    list: () => [...participants],
  };
  for (const participant of initial) registry.register(participant);
  return registry;
}

/** What erasure, export and retention need: the ledger (raw or decorated), the vault, the participants. */
export interface PersonalDataServices {
  readonly ledger: Ledger;
  readonly vault: Vault;
  readonly participants: ErasureRegistry;
}

export interface EraseOptions {
  /** Who ordered it: the staff member (admin_reseau) or `system` for retention. */
  readonly actor: Actor;
  readonly reason?: ErasureReason;
  /** Tenant written in the erasure event's metadata. */
  readonly tenantId: string;
  readonly correlationId?: string;
  readonly causationId?: string | null;
}

export interface ParticipantOutcome {
  readonly name: string;
  readonly rows: number;
}

export interface ErasureReport {
  readonly subjectId: string;
  /** Generation of the destroyed key; null when the subject held no live key (unknown, or already erased). */
  readonly keyGeneration: number | null;
  readonly erasedAt: string;
  readonly reason: ErasureReason;
  /** The erasure event; `position` as `commit/prepare`. */
  readonly event: { readonly id: string; readonly stream: string; readonly position: string };
  readonly participants: readonly ParticipantOutcome[];
  readonly failures: readonly { readonly name: string; readonly error: string }[];
}

/** Erasure ran, but some participants failed: the key is gone; run the erasure again to retry them. */
export class ErasureIncompleteError extends Error {
  override readonly name = 'ErasureIncompleteError';
  readonly code = 'erasure_incomplete';
  constructor(readonly report: ErasureReport) {
    super(
      `subject ${report.subjectId}: key destroyed, but ${report.failures.map((f) => `${f.name} (${f.error})`).join(', ')} failed to scrub; run the erasure again`,
    );
  }
}

export class InvalidSubjectIdError extends RangeError {
  override readonly name = 'InvalidSubjectIdError';
  readonly code = 'invalid_subject_id';
  constructor(subjectId: string) {
    super(
      `invalid subject id ${JSON.stringify(subjectId)}: expected an entity id (lower-case letters, digits, hyphens)`,
    );
  }
}

export function assertSubjectId(subjectId: string): string {
  if (!isEntityId(subjectId)) throw new InvalidSubjectIdError(subjectId);
  return subjectId;
}

/**
 * Erases a data subject (RGPD art. 17) — what `pti gdpr erase` and the staff route
 * (admin_reseau) call:
 *
 * 1. destroys the subject's data key: every personal field encrypted for them, in every event,
 *    now reads as `[effacé]` (crypto-shredding; events themselves are never rewritten);
 * 2. appends `PersonalDataErased` (no personal data) to `subject-<id>`;
 * 3. asks every registered participant to scrub the subject's rows.
 *
 * Idempotent: running it again destroys nothing more, records the request again and re-scrubs.
 * Throws {@link ErasureIncompleteError} (carrying the report) when a participant failed.
 */
export async function eraseSubject(
  services: PersonalDataServices,
  subjectId: string,
  options: EraseOptions,
): Promise<ErasureReport> {
  assertSubjectId(subjectId);
  const reason = options.reason ?? 'subject_request';
  const keyGeneration = await services.vault.shred(subjectId);
  const erasedAt = services.vault.clock().toISOString();
  const data: PersonalDataErased = {
    subjectId,
    erasedAt,
    reason,
    requestedBy: { id: options.actor.id, role: options.actor.role },
    keyGeneration,
  };
  const stream = subjectStream(subjectId);
  const id = randomUUID();
  const appended = await services.ledger.append(
    stream,
    [
      {
        id,
        type: 'PersonalDataErased',
        data,
        metadata: {
          tenantId: options.tenantId,
          actor: { id: options.actor.id, role: options.actor.role },
          correlationId: options.correlationId ?? id,
          causationId: options.causationId ?? null,
          occurredAt: erasedAt,
          schemaVersion: subjectEventDefinitions.PersonalDataErased.schemaVersion,
        },
      },
    ],
    'any',
  );

  const participants: ParticipantOutcome[] = [];
  const failures: { name: string; error: string }[] = [];
  for (const participant of services.participants.list()) {
    try {
      participants.push({ name: participant.name, rows: await participant.scrub(subjectId) });
    } catch (error) {
      failures.push({
        name: participant.name,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  const report: ErasureReport = {
    subjectId,
    keyGeneration,
    erasedAt,
    reason,
    event: { id, stream, position: positionToString(appended.position) },
    participants,
    failures,
  };
  if (failures.length > 0) throw new ErasureIncompleteError(report);
  return report;
}
