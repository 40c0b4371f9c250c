import { centreStream, isCentreId } from '@pti/events';
import type { Ledger, Position } from '@pti/platform';

/**
 * Which tenant (network) each centre belongs to. Public routes name a centre, not a tenant, and act
 * in the centre's tenant; staff routes check the caller's tenant against it. A centre never changes
 * tenant, so an entry is a fact that never goes stale.
 *
 * Filled at start from the ledger (every `CentreRegistered` and the tenant of its metadata), kept up
 * to date by this process's registrations, and completed on a miss from the centre stream's first
 * event (a centre registered by another process since).
 */
export interface CentreRegistry {
  /** The centre's tenant, or undefined when no such centre is registered. */
  tenantOf(centreId: string): Promise<string | undefined>;
  /** Records a centre this process just registered. */
  remember(centreId: string, tenantId: string): void;
  /** Reads every registration in the ledger; returns how many centres are known. */
  load(): Promise<number>;
  readonly size: number;
}

export function createCentreRegistry(ledger: Ledger): CentreRegistry {
  const tenants = new Map<string, string>();
  return {
    async tenantOf(centreId) {
      const known = tenants.get(centreId);
      if (known !== undefined) return known;
      if (!isCentreId(centreId)) return undefined;
      const [first] = await ledger.readStream(centreStream(centreId), { limit: 1 });
      if (first?.type !== 'CentreRegistered') return undefined;
      tenants.set(centreId, first.metadata.tenantId);
      return first.metadata.tenantId;
    },
    remember(centreId, tenantId) {
      tenants.set(centreId, tenantId);
    },
    async load() {
      let after: Position | undefined;
      for (;;) {
        const page = await ledger.readAll({
          after,
          limit: 5000,
          filter: { streamPrefixes: ['centre-'], eventTypes: ['CentreRegistered'] },
        });
        for (const event of page.events) {
          const centreId = (event.data as { centreId?: unknown }).centreId;
          if (typeof centreId === 'string') tenants.set(centreId, event.metadata.tenantId);
        }
        if (page.isEnd) return tenants.size;
        after = page.next;
      }
    },
    get size() {
      return tenants.size;
    },
  };
}
