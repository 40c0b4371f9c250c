import type { Channel, ControlType, Fuel, ReassignmentReason, VehicleCategory } from '@pti/events';
import { type CommandMeta, requestIds } from '../commands/command-meta.js';
import { deriveCustomerId } from '../customer/customer-id.js';
import { normaliseEmail, normalisePhone } from '../domain/booking/customer.js';
import type { LeaveWaitlist } from '../domain/calendar/calendar-commands.js';
import { findReservation } from '../domain/calendar/calendar-state.js';
import { durationMinutes } from '../domain/durations/duration-matrix.js';
import { addDaysToLocalDate, localDateTimeToInstant } from '../domain/shared/local-time.js';
import type { WriteSideContext } from '../write-side-context.js';
import { dayOf, executeCalendarCommand } from './calendar-execution.js';
import { signWaitlistToken } from './waitlist-token.js';

/**
 * Staff operations on a centre's day (block, unblock, reassign) and the waitlist. Each is one command
 * on one calendar stream: the decider enforces the invariants (a block may not cover live
 * reservations, a reassignment only goes to a free accredited inspector, a waitlist only opens on a
 * full day) and a refusal appends nothing. Time freed by an unblock or a reassignment is handed to
 * overbooked reservations and the waitlist within the same append.
 */

export interface CalendarResult {
  readonly centreId: string;
  readonly date: string;
  readonly revision: bigint;
}

export interface BlockPeriodInput {
  readonly centreId: string;
  readonly date: string;
  /** Chosen by the caller, or generated. */
  readonly blockId?: string;
  readonly from: string;
  readonly to: string;
  readonly inspectorId: string | null;
  readonly label: string;
}

export async function blockPeriod(
  ctx: WriteSideContext,
  input: BlockPeriodInput,
  meta: CommandMeta,
): Promise<CalendarResult & { readonly blockId: string }> {
  const blockId = input.blockId ?? requestIds(meta).id('block');
  const execution = await executeCalendarCommand(
    ctx,
    { type: 'BlockPeriod', ...input, blockId },
    meta,
    'block',
  );
  return { centreId: input.centreId, date: input.date, revision: execution.revision, blockId };
}

export async function unblockPeriod(
  ctx: WriteSideContext,
  input: { readonly centreId: string; readonly date: string; readonly blockId: string },
  meta: CommandMeta,
): Promise<CalendarResult> {
  const execution = await executeCalendarCommand(ctx, { type: 'UnblockPeriod', ...input }, meta, 'unblock');
  return { centreId: input.centreId, date: input.date, revision: execution.revision };
}

export interface ReassignInput {
  readonly centreId: string;
  readonly date: string;
  readonly reservationId: string;
  /** `null`: the inspector that keeps the day most balanced among the free accredited ones. */
  readonly toInspectorId: string | null;
  readonly reason: ReassignmentReason;
}

export async function reassignInspector(
  ctx: WriteSideContext,
  input: ReassignInput,
  meta: CommandMeta,
): Promise<CalendarResult & { readonly reservationId: string; readonly inspectorId: string | null }> {
  const execution = await executeCalendarCommand(
    ctx,
    { type: 'ReassignInspector', ...input },
    meta,
    'reassign',
  );
  const reservation = findReservation(execution.state, input.reservationId);
  return {
    centreId: input.centreId,
    date: input.date,
    revision: execution.revision,
    reservationId: input.reservationId,
    inspectorId: reservation?.inspectorId ?? null,
  };
}

export interface JoinWaitlistInput {
  readonly centreId: string;
  readonly date: string;
  readonly contact: { readonly email: string; readonly phone?: string | null };
  readonly controlType: ControlType;
  readonly vehicle: { readonly category: VehicleCategory; readonly fuel: Fuel };
  readonly earliestStart: string;
  readonly latestStart: string;
  readonly channel: Channel;
}

export interface JoinedWaitlist extends CalendarResult {
  readonly entryId: string;
  readonly customerId: string;
  /** Bearer token to leave the waitlist (`POST …/waitlist/{entryId}/leave`). */
  readonly leaveToken: string;
}

/**
 * A customer waits for a full day. The contact is normalised like a booking's (the vault encrypts it
 * under the customer id, derived from the e-mail as for a booking so erasure covers both). The leave
 * token works until the day after the waited day.
 */
export async function joinWaitlist(
  ctx: WriteSideContext,
  input: JoinWaitlistInput,
  meta: CommandMeta,
): Promise<JoinedWaitlist> {
  const now = ctx.env.now();
  const email = normaliseEmail(input.contact.email, 'contact.email');
  const phone =
    input.contact.phone === undefined || input.contact.phone === null || input.contact.phone.trim() === ''
      ? null
      : normalisePhone(input.contact.phone, 'contact.phone');
  const tenantId = meta.origin.tenantId;
  const customerId = deriveCustomerId(ctx.secrets.customerIdSecret, tenantId, { kind: 'private', email });
  const minutes = durationMinutes(
    ctx.durationMatrix,
    input.controlType,
    input.vehicle.category,
    input.vehicle.fuel,
  );
  const day = await dayOf(ctx, input.centreId, input.date, tenantId);
  const entryId = requestIds(meta).id('waitlist-entry');
  const execution = await executeCalendarCommand(
    ctx,
    {
      type: 'JoinWaitlist',
      centreId: input.centreId,
      date: input.date,
      entryId,
      customerId,
      contact: { email, phone },
      controlType: input.controlType,
      vehicle: { category: input.vehicle.category, fuel: input.vehicle.fuel },
      durationMinutes: minutes,
      earliestStart: input.earliestStart,
      latestStart: input.latestStart,
      channel: input.channel,
    },
    meta,
    'waitlist-join',
    { now, day },
  );
  const expiresAt = localDateTimeToInstant(addDaysToLocalDate(input.date, 1), '00:00', day.timeZone);
  return {
    centreId: input.centreId,
    date: input.date,
    revision: execution.revision,
    entryId,
    customerId,
    leaveToken: signWaitlistToken(ctx.secrets, entryId, expiresAt),
  };
}

export async function leaveWaitlist(
  ctx: WriteSideContext,
  input: Omit<LeaveWaitlist, 'type'>,
  meta: CommandMeta,
): Promise<CalendarResult & { readonly entryId: string }> {
  const execution = await executeCalendarCommand(
    ctx,
    { type: 'LeaveWaitlist', ...input },
    meta,
    'waitlist-leave',
  );
  return { centreId: input.centreId, date: input.date, revision: execution.revision, entryId: input.entryId };
}
