import { calendarStream, isLocalDate, type SlotCalendarEvent } from '@pti/events';
import { loadCentreOf } from '../centre/centre-loading.js';
import { type CommandMeta, requestIds } from '../commands/command-meta.js';
import { type CommandExecution, executeCommand, loadAggregate } from '../commands/execute-command.js';
import type { CalendarCommand, CalendarContext } from '../domain/calendar/calendar-commands.js';
import { calendarDecider } from '../domain/calendar/calendar-decider.js';
import type { CalendarState } from '../domain/calendar/calendar-state.js';
import {
  type CentreDayConfiguration,
  centreDayConfiguration,
} from '../domain/centre/centre-day-configuration.js';
import { DomainError } from '../domain/shared/domain-error.js';
import type { WriteSideContext } from '../write-side-context.js';

/** The configuration of a centre of the caller's tenant for one local day. */
export async function dayOf(
  ctx: WriteSideContext,
  centreId: string,
  date: string,
  tenantId: string,
): Promise<CentreDayConfiguration> {
  if (!isLocalDate(date)) {
    throw new DomainError('INVALID_COMMAND', `date ${JSON.stringify(date)} is not an existing YYYY-MM-DD`, {
      field: 'date',
    });
  }
  const centre = await loadCentreOf(ctx, centreId, tenantId);
  return centreDayConfiguration(centre.state, date);
}

export function calendarContext(
  ctx: WriteSideContext,
  day: CentreDayConfiguration,
  now: Date,
  newId: () => string,
): CalendarContext {
  return { now, day, newId, stepMinutes: ctx.stepMinutes };
}

/**
 * Runs a SlotCalendar command on `calendar-<centreId>-<date>` with the centre's configuration of that
 * day and the request's clock. `step` names the command within its request, so a request appending
 * twice to one calendar (a same-day reschedule) derives distinct event ids for each append.
 */
export async function executeCalendarCommand(
  ctx: WriteSideContext,
  command: CalendarCommand,
  meta: CommandMeta,
  step: string,
  options: {
    readonly now?: Date;
    readonly day?: CentreDayConfiguration;
    /** The calendar's read, started earlier (`prefetchCalendar`). */
    readonly preloaded?: Promise<{ readonly state: CalendarState; readonly revision: bigint }>;
  } = {},
): Promise<CommandExecution<CalendarState, SlotCalendarEvent>> {
  const now = options.now ?? ctx.env.now();
  const day = options.day ?? (await dayOf(ctx, command.centreId, command.date, meta.origin.tenantId));
  const ids = requestIds(meta);
  return executeCommand(ctx.env, {
    stream: calendarStream(command.centreId, command.date),
    decider: calendarDecider,
    command,
    // A fresh id sequence per attempt: a conflict retry decides again from the same ids.
    context: () => calendarContext(ctx, day, now, ids.idSequence(step)),
    origin: meta.origin,
    eventId: ids.eventIds(step),
    ...(options.preloaded === undefined ? {} : { preloaded: options.preloaded }),
  });
}

/**
 * Starts reading a day's calendar when this process holds no state of it, so the read goes out with
 * the request's other loads (one batch, one wait) instead of after them; undefined when cached (the
 * command decides on the cache, see `executeCommand`). The promise never rejects unobserved: a
 * request that fails before using it leaves no unhandled rejection.
 */
export function prefetchCalendar(
  ctx: WriteSideContext,
  centreId: string,
  date: string,
): Promise<{ readonly state: CalendarState; readonly revision: bigint }> | undefined {
  const stream = calendarStream(centreId, date);
  if (ctx.env.readBeforeDecide !== true && ctx.env.cache?.get(stream) !== undefined) return undefined;
  const read = loadAggregate(ctx.env, stream, calendarDecider);
  read.catch(() => undefined);
  return read;
}

/** The calendar of a day, as this process last saw it plus the stream's tail. */
export async function loadCalendar(
  ctx: WriteSideContext,
  centreId: string,
  date: string,
): Promise<{ readonly state: CalendarState; readonly revision: bigint }> {
  return loadAggregate(ctx.env, calendarStream(centreId, date), calendarDecider);
}
