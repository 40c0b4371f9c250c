import { positionToString } from '@pti/platform';
import {
  createHeadTracker,
  createLeaseStore,
  type GenerationRecord,
  type Lag,
  listGenerations,
  PROJECTORS,
  type Projector,
  projectorLag,
} from '@pti/projections';
import { openProjectionStores } from './rebuild-command.js';

export type ProjectionState = 'live' | 'catching up' | 'rebuilding' | 'not built' | 'stale';

export interface ProjectorStatusLine {
  readonly projector: string;
  readonly state: ProjectionState;
  readonly liveGeneration: number | null;
  readonly checkpoint: string | null;
  readonly checkpointAt: string | null;
  readonly lag: Lag | null;
  /** A generation being built (first build or rebuild), with its checkpoint. */
  readonly building: { readonly generation: number; readonly checkpoint: string } | null;
  /** Projector code version vs the version that built the live generation. */
  readonly codeVersion: number;
  readonly liveVersion: number | null;
  /** The replica holding the read model's lease (`PROJECTION_PARTITION_LEASE=postgres`); null: none. */
  readonly owner: string | null;
}

/** Behind by more than this many events, or older than this many seconds: "catching up". */
const LIVE_EVENTS = 1_000;
const LIVE_SECONDS = 5;

function stateOf(
  live: GenerationRecord | undefined,
  building: GenerationRecord | undefined,
  lag: Lag | null,
  projector: Projector,
): ProjectionState {
  if (live === undefined) return building === undefined ? 'not built' : 'catching up';
  if (building !== undefined) return 'rebuilding';
  if (live.projectorVersion !== projector.version) return 'stale';
  if (lag !== null && (lag.events > LIVE_EVENTS || lag.seconds > LIVE_SECONDS)) return 'catching up';
  return 'live';
}

/** Per projector: live generation, checkpoint, lag in events and seconds, state. */
export async function projectionsStatus(
  projectors: readonly Projector[] = PROJECTORS,
): Promise<ProjectorStatusLine[]> {
  const stores = await openProjectionStores();
  try {
    const { ledger, db, layout } = stores.deps;
    const head = await createHeadTracker(ledger).head(0);
    const now = new Date();
    // No lease table (leases never used here) or unreadable: no owner shown.
    const leases = await createLeaseStore(db, layout)
      .held('projector:')
      .catch(() => []);
    const owners = new Map(leases.map((lease) => [lease.name.slice('projector:'.length), lease.owner]));
    return await Promise.all(
      projectors.map(async (projector): Promise<ProjectorStatusLine> => {
        const generations = await listGenerations(db, layout, projector.name);
        const live = generations.find((g) => g.status === 'live');
        const building = generations.filter((g) => g.status === 'building').at(-1);
        const lag =
          live === undefined ? null : await projectorLag(ledger, projector, live.position, head, now);
        return {
          projector: projector.name,
          state: stateOf(live, building, lag, projector),
          liveGeneration: live?.generation ?? null,
          checkpoint: live === undefined ? null : positionToString(live.position),
          checkpointAt: live?.checkpointAt?.toISOString() ?? null,
          lag,
          building:
            building === undefined
              ? null
              : { generation: building.generation, checkpoint: positionToString(building.position) },
          codeVersion: projector.version,
          liveVersion: live?.projectorVersion ?? null,
          owner: owners.get(projector.name) ?? null,
        };
      }),
    );
  } finally {
    await stores.close();
  }
}

/** `pti projections status [--json]`. */
export async function projectionsStatusCommand(
  options: { readonly json?: boolean },
  out: (line: string) => void = console.log,
): Promise<number> {
  const lines = await projectionsStatus();
  if (options.json === true) {
    out(JSON.stringify(lines, null, 2));
    return 0;
  }
  out(
    [
      'projector'.padEnd(14),
      'state'.padEnd(12),
      'live'.padEnd(5),
      'checkpoint'.padEnd(22),
      'lag events'.padStart(10),
      'lag s'.padStart(8),
      '  owner'.padEnd(18),
      '  building',
    ].join(' '),
  );
  for (const line of lines) {
    out(
      [
        line.projector.padEnd(14),
        line.state.padEnd(12),
        (line.liveGeneration === null ? '-' : `v${line.liveGeneration}`).padEnd(5),
        (line.checkpoint ?? '-').padEnd(22),
        String(line.lag?.events ?? '-').padStart(10),
        (line.lag === null ? '-' : line.lag.seconds.toFixed(1)).padStart(8),
        `  ${line.owner ?? '-'}`.padEnd(18),
        line.building === null ? '' : `  v${line.building.generation} at ${line.building.checkpoint}`,
      ].join(' '),
    );
  }
  return 0;
}
