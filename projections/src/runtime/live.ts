import type { SqlExecutor } from '@pti/platform';
import type { ProjectionLayout } from './layout.js';
import { type GenerationRecord, liveGeneration } from './registry.js';

/**
 * The read side's view of the registry: which generation of a projector is live (its Redis key
 * prefix in particular), cached for `ttlMs` so a hot path costs no query. After a swap readers
 * move to the new generation within `ttlMs`; the old one keeps its keys until `--drop-old`.
 */
export interface LiveGenerations {
  get(projector: string): Promise<GenerationRecord | undefined>;
}

export function createLiveGenerations(
  db: SqlExecutor,
  layout: ProjectionLayout,
  options: { readonly ttlMs?: number } = {},
): LiveGenerations {
  const ttlMs = options.ttlMs ?? 1_000;
  const cached = new Map<
    string,
    { readonly at: number; readonly value: Promise<GenerationRecord | undefined> }
  >();
  return {
    get: (projector) => {
      const hit = cached.get(projector);
      if (hit !== undefined && Date.now() - hit.at < ttlMs) return hit.value;
      const value = liveGeneration(db, layout, projector).catch((error: unknown) => {
        cached.delete(projector);
        throw error;
      });
      cached.set(projector, { at: Date.now(), value });
      return value;
    },
  };
}
