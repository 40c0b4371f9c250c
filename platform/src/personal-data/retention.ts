import type { Actor } from '@pti/events';
import {
  type ErasureReport,
  eraseSubject,
  type ParticipantOutcome,
  type PersonalDataServices,
} from './erasure.js';
import type { SubjectLastActivity } from './key-store.js';
import {
  DEFAULT_RETENTION_POLICY,
  type RetentionKind,
  type RetentionPolicy,
  retentionCutoffs,
} from './retention-policy.js';

/** A subject past retention: every kind of their activity is older than its limit. */
export interface RetentionCandidate {
  readonly subjectId: string;
  /** Last activity per kind (ISO instants). */
  readonly lastActivity: Readonly<Record<string, string>>;
}

export interface RetentionProgress {
  readonly done: number;
  readonly total: number;
  readonly subjectId: string;
}

export interface RetentionOptions {
  /** List only; change nothing. */
  readonly dryRun: boolean;
  readonly policy?: RetentionPolicy;
  /** Default: the vault's clock. */
  readonly now?: Date;
  /** Tenant written in the erasure events' metadata. */
  readonly tenantId: string;
  /** Default `{ id: 'retention', role: 'system' }`. */
  readonly actor?: Actor;
  readonly onProgress?: (progress: RetentionProgress) => void;
}

export interface RetentionReport {
  readonly dryRun: boolean;
  readonly now: string;
  /** Cutoff per limited kind (ISO): activity strictly before it is past retention. */
  readonly cutoffs: Readonly<Record<string, string>>;
  /** Subjects past their limits when the run started, by subject id. */
  readonly candidates: readonly RetentionCandidate[];
  /** Erasures done (empty on a dry run). */
  readonly erased: readonly ErasureReport[];
  /** Candidates found active again when their turn came, left alone. */
  readonly skipped: readonly string[];
  /** Rows each participant pruned by age (empty on a dry run). */
  readonly pruned: readonly ParticipantOutcome[];
}

const PAGE = 1000;

function definedCutoffs(cutoffs: Readonly<Partial<Record<RetentionKind, Date>>>): Record<string, Date> {
  const out: Record<string, Date> = {};
  for (const [kind, at] of Object.entries(cutoffs)) if (at !== undefined) out[kind] = at;
  return out;
}

const isoRecord = (record: Readonly<Record<string, Date>>): Record<string, string> =>
  Object.fromEntries(Object.entries(record).map(([kind, at]) => [kind, at.toISOString()]));

/** Every subject with a live key whose every activity kind is past its limit at `now`, by subject id. */
export async function findExpiredSubjects(
  services: Pick<PersonalDataServices, 'vault'>,
  policy: RetentionPolicy = DEFAULT_RETENTION_POLICY,
  now: Date = services.vault.clock(),
): Promise<readonly SubjectLastActivity[]> {
  const cutoffs = definedCutoffs(retentionCutoffs(policy, now));
  const found: SubjectLastActivity[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await services.vault.store.findExpired(cutoffs, { after, limit: PAGE });
    found.push(...page);
    const last = page[page.length - 1];
    if (!last || page.length < PAGE) return found;
    after = last.subjectId;
  }
}

/**
 * The retention job — what `pti gdpr retention` runs. Lists the subjects past their limits; unless
 * `dryRun`, erases each (reason `retention_expired`, after checking again that they are still
 * inactive) and then asks every participant to prune rows past their kind's cutoff.
 */
export async function applyRetention(
  services: PersonalDataServices,
  options: RetentionOptions,
): Promise<RetentionReport> {
  const policy = options.policy ?? DEFAULT_RETENTION_POLICY;
  const now = options.now ?? services.vault.clock();
  const partialCutoffs = retentionCutoffs(policy, now);
  const cutoffs = definedCutoffs(partialCutoffs);
  const expired = await findExpiredSubjects(services, policy, now);
  const candidates = expired.map((s) => ({
    subjectId: s.subjectId,
    lastActivity: isoRecord(s.lastActivity),
  }));
  const base = { dryRun: options.dryRun, now: now.toISOString(), cutoffs: isoRecord(cutoffs), candidates };
  if (options.dryRun) return { ...base, erased: [], skipped: [], pruned: [] };

  const actor = options.actor ?? { id: 'retention', role: 'system' };
  const erased: ErasureReport[] = [];
  const skipped: string[] = [];
  for (const [index, candidate] of candidates.entries()) {
    const latest = await services.vault.store.lastActivity(candidate.subjectId);
    const stillExpired = Object.entries(latest).every(([kind, at]) => {
      const cutoff = cutoffs[kind];
      return cutoff !== undefined && at < cutoff;
    });
    if (stillExpired) {
      erased.push(
        await eraseSubject(services, candidate.subjectId, {
          actor,
          reason: 'retention_expired',
          tenantId: options.tenantId,
        }),
      );
    } else {
      skipped.push(candidate.subjectId);
    }
    options.onProgress?.({ done: index + 1, total: candidates.length, subjectId: candidate.subjectId });
  }

  const pruned: ParticipantOutcome[] = [];
  for (const participant of services.participants.list()) {
    if (participant.prune)
      pruned.push({ name: participant.name, rows: await participant.prune(partialCutoffs) });
  }
  return { ...base, erased, skipped, pruned };
}
