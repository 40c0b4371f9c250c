import type { ApplyContext, MaintenanceContext } from './projector.js';

/**
 * Rows a projector keeps in `ctx.memory` between batches so a catch-up does not read back what it
 * wrote a batch earlier (a booking's events arrive over minutes, i.e. over several batches). Only
 * rows of committed batches are in it: the runner clears `ctx.memory` when a batch fails. A
 * projector that changes rows outside `apply`'s folding (GDPR scrub) must `forget` them. Bounded:
 * past `capacity` rows it starts over (rows are then read from the tables again).
 */
export interface RowMemory<R> {
  /** The rows of `ids`: from memory, the others through `load` (and remembered). */
  rows(
    ids: readonly string[],
    load: (missing: readonly string[]) => Promise<Map<string, R>>,
  ): Promise<Map<string, R>>;
  /** Remembers rows written by the batch being applied. */
  remember(id: string, row: R): void;
  /** Forgets everything (after a scrub). */
  forget(): void;
}

interface Store<R> {
  readonly rows: Map<string, R>;
}

export function rowMemory<R>(
  ctx: Pick<ApplyContext | MaintenanceContext, 'memory'>,
  name: string,
  capacity = 200_000,
): RowMemory<R> {
  const key = `rows:${name}`;
  const store = (): Store<R> => {
    let found = ctx.memory.get(key) as Store<R> | undefined;
    if (found === undefined) {
      found = { rows: new Map() };
      ctx.memory.set(key, found);
    }
    return found;
  };
  return {
    async rows(ids, load) {
      const s = store();
      const out = new Map<string, R>();
      const missing: string[] = [];
      for (const id of ids) {
        const row = s.rows.get(id);
        if (row !== undefined) out.set(id, row);
        else missing.push(id);
      }
      if (missing.length > 0) {
        const loaded = await load(missing);
        if (s.rows.size + loaded.size > capacity) s.rows.clear();
        for (const [id, row] of loaded) {
          out.set(id, row);
          s.rows.set(id, row);
        }
      }
      return out;
    },
    remember(id, row) {
      const s = store();
      if (s.rows.size >= capacity) s.rows.clear();
      s.rows.set(id, row);
    },
    forget() {
      ctx.memory.delete(key);
    },
  };
}
