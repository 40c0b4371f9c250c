import { loadConfig, type RetentionReport } from '@pti/platform';
import { type GdprDependencies, openGdprContext } from './gdpr-context.js';

export interface GdprRetentionOptions {
  /** List the subjects past retention; change nothing. */
  readonly dryRun?: boolean;
  /** Evaluate at this instant instead of now (ISO 8601), e.g. to preview a future run. */
  readonly now?: string;
  /** Tenant of the erasure events' metadata (default `network`). */
  readonly tenant?: string;
}

function formatCandidates(report: RetentionReport): string[] {
  const cutoffs = Object.entries(report.cutoffs)
    .map(([kind, at]) => `${kind} before ${at}`)
    .join(', ');
  return [
    `retention at ${report.now}${report.dryRun ? ' (dry run)' : ''}: ${cutoffs}`,
    ...report.candidates.map(
      (c) =>
        `  ${c.subjectId}  ${Object.entries(c.lastActivity)
          .map(([kind, at]) => `${kind} ${at}`)
          .join('  ')}`,
    ),
    `${report.candidates.length} subject(s) past retention`,
  ];
}

/**
 * `pti gdpr retention [--dry-run]`: lists the subjects whose every activity is past its retention
 * limit (bookings 7 years, payments 10 years); without `--dry-run`, shreds their keys (one
 * progress line per subject) and prunes the read models.
 */
export async function gdprRetentionCommand(
  options: GdprRetentionOptions = {},
  deps: GdprDependencies = {},
  out: (line: string) => void = console.log,
  progress: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  let now: Date | undefined;
  if (options.now !== undefined) {
    now = new Date(options.now);
    if (Number.isNaN(now.getTime())) throw new Error(`--now must be an ISO 8601 instant, got ${options.now}`);
  }
  const context = await openGdprContext(deps.config ?? loadConfig(), deps);
  try {
    const tenantId = options.tenant ?? 'network';
    const listed = await context.personalData.retention({ dryRun: true, now, tenantId });
    for (const line of formatCandidates(listed)) out(line);
    if (options.dryRun === true) {
      out('dry run: nothing changed');
      return 0;
    }
    const applied = await context.personalData.retention({
      dryRun: false,
      now,
      tenantId,
      onProgress: (p) => progress(`  erasing ${p.done}/${p.total} ${p.subjectId}`),
    });
    out(
      `erased ${applied.erased.length} subject(s)` +
        (applied.skipped.length > 0 ? `, skipped ${applied.skipped.length} active again` : ''),
    );
    for (const p of applied.pruned) out(`  read model ${p.name}: ${p.rows} row(s) pruned`);
    const failures = applied.erased.filter((e) => e.failures.length > 0).length;
    return failures > 0 ? 1 : 0;
  } finally {
    await context.close();
  }
}
