import type { CommandOutcome, ExpireBookingOutcome, SagaCommands } from '../commands/saga-commands.js';
import type { SagaOrigin } from '../runtime/saga.js';

export interface RecordedCommand {
  readonly command: keyof SagaCommands;
  readonly input: Readonly<Record<string, unknown>>;
  readonly origin: SagaOrigin;
}

export type RecordingCommands = SagaCommands & { readonly calls: RecordedCommand[] };

/**
 * A fake command port: records every call and answers `applied` (`expired` for ExpireBooking)
 * unless a test overrides the answer.
 */
export function recordingCommands(answers: Partial<SagaCommands> = {}): RecordingCommands {
  const calls: RecordedCommand[] = [];
  const applied: CommandOutcome = { outcome: 'applied' };
  const record = (command: keyof SagaCommands, input: object, origin: SagaOrigin) =>
    calls.push({ command, input: { ...input }, origin });
  return {
    calls,
    async expireBooking(input, origin): Promise<ExpireBookingOutcome> {
      record('expireBooking', input, origin);
      return answers.expireBooking ? answers.expireBooking(input, origin) : { outcome: 'expired' };
    },
    async releaseHold(input, origin) {
      record('releaseHold', input, origin);
      return answers.releaseHold ? answers.releaseHold(input, origin) : applied;
    },
    async confirmHold(input, origin) {
      record('confirmHold', input, origin);
      return answers.confirmHold ? answers.confirmHold(input, origin) : applied;
    },
    async freeReservation(input, origin) {
      record('freeReservation', input, origin);
      return answers.freeReservation ? answers.freeReservation(input, origin) : applied;
    },
    async recordPaymentSucceeded(input, origin) {
      record('recordPaymentSucceeded', input, origin);
      return answers.recordPaymentSucceeded ? answers.recordPaymentSucceeded(input, origin) : applied;
    },
    async recordPaymentFailed(input, origin) {
      record('recordPaymentFailed', input, origin);
      return answers.recordPaymentFailed ? answers.recordPaymentFailed(input, origin) : applied;
    },
    async recordResult(input, origin) {
      record('recordResult', input, origin);
      return answers.recordResult ? answers.recordResult(input, origin) : applied;
    },
  };
}
