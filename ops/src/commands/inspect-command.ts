import { loadConfig, type RecordedEvent } from '@pti/platform';
import { openPlatformRuntime } from '../start/platform-runtime.js';

export interface InspectOptions {
  json?: boolean;
  from?: string;
  limit?: string;
}

/** One line per event: revision, time, type, actor, then the payload. */
export function formatEvent(e: RecordedEvent): string {
  const actor = `${e.metadata.actor.role}:${e.metadata.actor.id}`;
  return `#${e.revision}  ${e.metadata.occurredAt}  ${e.type}  by ${actor}  corr ${e.metadata.correlationId}\n    ${JSON.stringify(e.data)}`;
}

/** `pti inspect <stream>`: the events of one stream, oldest first. Exits 1 when the stream does not exist. */
export async function inspectCommand(
  stream: string,
  options: InspectOptions,
  out: (line: string) => void = console.log,
): Promise<number> {
  const runtime = await openPlatformRuntime(loadConfig(), { migrate: true });
  try {
    const events = await runtime.ledger.readStream(stream, {
      fromRevision: options.from ? BigInt(options.from) : 1n,
      limit: options.limit ? Number(options.limit) : undefined,
    });
    if (events.length === 0) {
      out(`stream ${stream}: no events (it does not exist, or nothing from that revision)`);
      return 1;
    }
    if (options.json) {
      out(
        JSON.stringify(
          events.map((e) => ({
            ...e,
            revision: e.revision.toString(),
            position: `${e.position.commit}/${e.position.prepare}`,
          })),
          null,
          2,
        ),
      );
    } else {
      out(`stream ${stream} (${runtime.ledger.kind}), ${events.length} event(s)`);
      for (const e of events) out(formatEvent(e));
    }
    return 0;
  } finally {
    await runtime.close();
  }
}
