import { schemaVersionOf, upcast } from '@pti/events';
import { loadConfig } from '@pti/platform';
import { replayAtInstant } from '@pti/write-side/domain';
import { openPlatformRuntime } from '../start/platform-runtime.js';

export interface ReplayOptions {
  until?: string;
}

/** JSON with bigints as strings (revisions), indented for people. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

/**
 * `pti replay <stream> --until <instant>`: the aggregate's state as it was at that instant, its stream
 * folded through the deciders' `evolve`. Without --until, the current state. Exits 1 on a bad instant
 * or a stream that had no event by then.
 */
export async function replayCommand(
  stream: string,
  options: ReplayOptions,
  out: (line: string) => void = console.log,
): Promise<number> {
  const at = options.until ? new Date(options.until) : new Date();
  if (Number.isNaN(at.getTime())) {
    out(`--until: not an instant: ${options.until} (use ISO-8601, e.g. 2026-12-01T09:30:00+01:00)`);
    return 1;
  }
  const runtime = await openPlatformRuntime(loadConfig(), { migrate: true });
  try {
    const recorded = await runtime.ledger.readStream(stream);
    const events = recorded.map((r) => ({
      type: r.type,
      // Stored payloads are brought to the current schema version before the fold.
      data: schemaVersionOf(r.type) === undefined ? r.data : upcast(r.type, r.metadata.schemaVersion, r.data),
      occurredAt: r.metadata.occurredAt,
      revision: r.revision,
    }));
    const result = replayAtInstant(stream, events, at);
    if (result.eventsApplied === 0) {
      out(`stream ${stream}: no event at or before ${result.at}`);
      return 1;
    }
    out(toJson(result));
    return 0;
  } finally {
    await runtime.close();
  }
}
