import {
  isDomainEventType,
  SINGLE_SUBJECT_STREAM_CATEGORIES,
  subjectPathOf,
  subjectStream,
} from '@pti/events';
import type { RecordedEvent } from '../ledger/ledger-port.js';
import { assertSubjectId, type PersonalDataServices } from './erasure.js';
import {
  createPersonalDataCodec,
  isCiphertext,
  parseReferenceOrCiphertext,
  valueAt,
  withoutPersonalData,
} from './personal-data-codec.js';

/** One event of an access export, decrypted for the subject, JSON-ready. */
export interface ExportedEvent {
  readonly id: string;
  readonly type: string;
  readonly stream: string;
  readonly revision: string;
  readonly recordedAt: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** Everything held about a data subject (RGPD art. 15), as `pti gdpr export` writes it. */
export interface SubjectExport {
  readonly subjectId: string;
  readonly exportedAt: string;
  /** `live`: data readable; `erased`: the key was destroyed (personal fields read `[effacé]`); `none`: no key ever. */
  readonly key:
    | { readonly status: 'live'; readonly generation: number }
    | { readonly status: 'erased'; readonly generation: number; readonly erasedAt: string }
    | { readonly status: 'none' };
  /** Last activity per retention kind (ISO instants). */
  readonly lastActivity: Readonly<Record<string, string>>;
  /** Events concerning the subject, stream by stream, in revision order; erasure records included. */
  readonly events: readonly ExportedEvent[];
  /** What each registered participant (read model) holds, by participant name. */
  readonly readModels: Readonly<Record<string, unknown>>;
}

/**
 * Collects everything held about a subject — what `pti gdpr export` and the staff route call.
 * Streams come from the vault's subject → streams index (no ledger scan). Of a stream dedicated to
 * the subject (`booking-…`) every event is exported; of a shared stream (a calendar day, a centre)
 * only the events that name the subject or hold data encrypted for them. Personal fields of other
 * people never appear: they read `[autre personne]`. `services.ledger` may be the decorated ledger
 * or the raw one: the export always reads ciphertext and decrypts for this subject only.
 */
export async function exportSubject(
  services: PersonalDataServices,
  subjectId: string,
): Promise<SubjectExport> {
  assertSubjectId(subjectId);
  const { vault } = services;
  // Ciphertext as stored: each field is then decrypted only if it is this subject's.
  const ledger = withoutPersonalData(services.ledger);
  const codec = createPersonalDataCodec(vault);
  const [record, lastActivity, linked] = await Promise.all([
    vault.store.read(subjectId),
    vault.store.lastActivity(subjectId),
    vault.store.streamsOf(subjectId),
  ]);
  const streams = [...new Set([...linked, subjectStream(subjectId)])];

  const events: ExportedEvent[] = [];
  for (const stream of streams) {
    const category = stream.slice(0, Math.max(0, stream.indexOf('-')));
    const dedicated =
      (SINGLE_SUBJECT_STREAM_CATEGORIES as readonly string[]).includes(category) ||
      stream === subjectStream(subjectId);
    const stored = await ledger.readStream(stream);
    const concerning = dedicated ? stored : stored.filter((event) => concerns(event, subjectId));
    for (const event of await codec.decode(concerning, { onlySubject: subjectId })) {
      events.push({
        id: event.id,
        type: event.type,
        stream: event.streamName,
        revision: event.revision.toString(),
        recordedAt: event.recordedAt.toISOString(),
        data: event.data,
        metadata: { ...event.metadata },
      });
    }
  }

  const readModels: Record<string, unknown> = {};
  for (const participant of services.participants.list()) {
    if (participant.export) readModels[participant.name] = await participant.export(subjectId);
  }

  return {
    subjectId,
    exportedAt: vault.clock().toISOString(),
    key:
      record === null
        ? { status: 'none' }
        : record.status === 'live'
          ? { status: 'live', generation: record.key.generation }
          : { status: 'erased', generation: record.generation, erasedAt: record.erasedAt.toISOString() },
    lastActivity: Object.fromEntries(
      Object.entries(lastActivity).map(([kind, at]) => [kind, at.toISOString()]),
    ),
    events,
    readModels,
  };
}

/** Whether an event of a shared stream names the subject or holds a ciphertext of theirs. */
function concerns(event: RecordedEvent, subjectId: string): boolean {
  if (isDomainEventType(event.type)) {
    const path = subjectPathOf(event.type);
    if (path !== undefined && valueAt(event.data, path) === subjectId) return true;
  }
  let found = false;
  const walk = (node: unknown): void => {
    if (found) return;
    if (isCiphertext(node)) {
      // A short reference names no key: the envelope of its event does.
      const parsed = parseReferenceOrCiphertext(node);
      found = !('reference' in parsed) && parsed.subjectId === subjectId;
    } else if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) Object.values(node).forEach(walk);
  };
  walk(event.data);
  return found;
}
