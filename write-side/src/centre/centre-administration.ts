import { type CentreEvent, centreStream, isCentreId } from '@pti/events';
import { type CommandMeta, requestIds } from '../commands/command-meta.js';
import { executeCommand } from '../commands/execute-command.js';
import type { CentreCommand } from '../domain/centre/centre-commands.js';
import { centreDecider } from '../domain/centre/centre-decider.js';
import type { CentreState } from '../domain/centre/centre-state.js';
import { DomainError } from '../domain/shared/domain-error.js';
import type { WriteSideContext } from '../write-side-context.js';

export interface CentreCommandResult {
  readonly centreId: string;
  /** The centre stream's revision after the command: the ETag of the next edit. */
  readonly revision: bigint;
  readonly events: readonly CentreEvent[];
  readonly state: CentreState;
}

export interface CentreCommandOptions {
  /** The revision the caller edited (HTTP If-Match); refused with PRECONDITION_FAILED otherwise. */
  readonly expectedRevision?: bigint;
}

/**
 * Runs any Centre command (register, details, opening hours, closures, prices, policy, capacity,
 * inspectors, schedules, absences, deactivation) in the caller's tenant. Single-stream: the decider
 * guards every rule, a refusal appends nothing. A registration claims the centre id for the tenant;
 * any other command on a centre of another tenant is answered as for an unknown centre.
 */
export async function administerCentre(
  ctx: WriteSideContext,
  command: CentreCommand,
  meta: CommandMeta,
  options: CentreCommandOptions = {},
): Promise<CentreCommandResult> {
  const tenantId = meta.origin.tenantId;
  if (!isCentreId(command.centreId)) {
    throw new DomainError('INVALID_COMMAND', `invalid centre id ${JSON.stringify(command.centreId)}`, {
      field: 'centreId',
    });
  }
  const owner = await ctx.centres.tenantOf(command.centreId);
  if (command.type === 'RegisterCentre') {
    // Our own tenant's centre goes on to the decider: a keyed retry of this registration is then
    // recognised as already applied, anything else refused by the decider.
    if (owner !== undefined && owner !== tenantId) throw new DomainError('CENTRE_ALREADY_REGISTERED');
  } else if (owner !== tenantId) {
    throw new DomainError('CENTRE_NOT_REGISTERED', `centre ${command.centreId} is not registered`, {
      centreId: command.centreId,
    });
  }
  const execution = await executeCommand(ctx.env, {
    stream: centreStream(command.centreId),
    decider: centreDecider,
    command,
    context: undefined,
    origin: meta.origin,
    eventId: requestIds(meta).eventIds(`centre:${command.type}`),
    expectedRevision: options.expectedRevision,
  });
  if (command.type === 'RegisterCentre') ctx.centres.remember(command.centreId, tenantId);
  return {
    centreId: command.centreId,
    revision: execution.revision,
    events: execution.events,
    state: execution.state,
  };
}
