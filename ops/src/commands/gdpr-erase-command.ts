import { userInfo } from 'node:os';
import type { ErasureReason } from '@pti/events';
import { ErasureIncompleteError, type ErasureReport, loadConfig } from '@pti/platform';
import { type GdprDependencies, openGdprContext } from './gdpr-context.js';

export interface GdprEraseOptions {
  /** `subject_request` (default) or `retention_expired`. */
  readonly reason?: string;
  /** Who ordered it (default `cli:<os user>`); recorded with the role admin_reseau. */
  readonly actor?: string;
  /** Tenant of the erasure event's metadata (default `network`). */
  readonly tenant?: string;
}

const REASONS: readonly ErasureReason[] = ['subject_request', 'retention_expired'];

function reasonOf(value: string | undefined): ErasureReason {
  const reason = value ?? 'subject_request';
  const known = REASONS.find((r) => r === reason);
  if (!known) throw new Error(`--reason must be one of ${REASONS.join(', ')}, got ${JSON.stringify(reason)}`);
  return known;
}

export function formatErasure(report: ErasureReport): string[] {
  return [
    `subject ${report.subjectId}: ${
      report.keyGeneration === null
        ? 'no live key (already erased, or never seen): nothing left to destroy'
        : `data key (generation ${report.keyGeneration}) destroyed; its personal fields now read [effacé]`
    }`,
    `  recorded PersonalDataErased (${report.reason}) in ${report.event.stream} at ${report.event.position}`,
    ...report.participants.map((p) => `  read model ${p.name}: ${p.rows} row(s) scrubbed`),
    ...report.failures.map((f) => `  read model ${f.name}: FAILED (${f.error}) — run the erasure again`),
  ];
}

/**
 * `pti gdpr erase <subject>` (RGPD art. 17): destroys the subject's data key, records the erasure
 * and scrubs the read models. Returns the exit code: 0 done, 1 when a read model failed to scrub.
 */
export async function gdprEraseCommand(
  subjectId: string,
  options: GdprEraseOptions = {},
  deps: GdprDependencies = {},
  out: (line: string) => void = console.log,
): Promise<number> {
  const reason = reasonOf(options.reason);
  const context = await openGdprContext(deps.config ?? loadConfig(), deps);
  try {
    const report = await context.personalData.erase(subjectId, {
      actor: { id: options.actor ?? `cli:${userInfo().username}`, role: 'admin_reseau' },
      reason,
      tenantId: options.tenant ?? 'network',
    });
    for (const line of formatErasure(report)) out(line);
    return 0;
  } catch (error) {
    if (!(error instanceof ErasureIncompleteError)) throw error;
    for (const line of formatErasure(error.report)) out(line);
    return 1;
  } finally {
    await context.close();
  }
}
