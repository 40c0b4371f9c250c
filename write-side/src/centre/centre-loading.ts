import { centreStream, isCentreId } from '@pti/events';
import { loadAggregate } from '../commands/execute-command.js';
import type { CentreTerms } from '../domain/booking/booking-commands.js';
import { centreDecider } from '../domain/centre/centre-decider.js';
import type { CentreState } from '../domain/centre/centre-state.js';
import { DomainError } from '../domain/shared/domain-error.js';
import type { WriteSideContext } from '../write-side-context.js';

export interface LoadedCentre {
  readonly state: CentreState;
  readonly revision: bigint;
}

/**
 * A registered centre of the caller's tenant. A centre of another tenant is answered exactly like an
 * unknown one (`CENTRE_NOT_REGISTERED`), so ids cannot be probed across networks.
 */
export async function loadCentreOf(
  ctx: WriteSideContext,
  centreId: string,
  tenantId: string,
): Promise<LoadedCentre> {
  if (!isCentreId(centreId) || (await ctx.centres.tenantOf(centreId)) !== tenantId) {
    throw new DomainError('CENTRE_NOT_REGISTERED', `centre ${centreId} is not registered`, { centreId });
  }
  const loaded = await freshEnough(ctx, centreId);
  if (loaded.state.status === 'unregistered') {
    throw new DomainError('CENTRE_NOT_REGISTERED', `centre ${centreId} is not registered`, { centreId });
  }
  return loaded;
}

/** The cached centre while it was checked within `centreFreshnessMs`, else the stream read now. */
async function freshEnough(ctx: WriteSideContext, centreId: string): Promise<LoadedCentre> {
  const stream = centreStream(centreId);
  const checkedAt = ctx.centreCheckedAt.get(centreId);
  const cached = ctx.env.cache?.get(stream);
  if (cached && checkedAt !== undefined && performance.now() - checkedAt < ctx.centreFreshnessMs) {
    return { state: cached.state as CentreState, revision: cached.revision };
  }
  const loaded = await loadAggregate(ctx.env, stream, centreDecider);
  ctx.centreCheckedAt.set(centreId, performance.now());
  return loaded;
}

/** What a booking decision needs to know of a centre: its price list and policy. */
export function termsOf(centre: CentreState): CentreTerms {
  return {
    priceList: centre.priceList?.entries ?? [],
    cancellationCutoffHours: centre.policy.cancellationCutoffHours,
    freeContreVisiteDays: centre.policy.freeContreVisiteDays,
  };
}
