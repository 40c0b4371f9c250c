import { expect } from 'vitest';
import type { Decider } from '../decider.js';
import { DomainError, type DomainErrorCode } from '../domain-error.js';

/**
 * Given/when/then specifications of a decider for vitest, after Emmett's DeciderSpecification:
 *
 * ```ts
 * spec(calendarDecider).given([slotHeld]).when(confirm, context).then([holdConfirmed]);
 * spec(calendarDecider).given([]).when(confirm, context).thenFails('UNKNOWN_RESERVATION');
 * ```
 *
 * Test-only: it imports vitest, so it is deliberately not exported from the domain barrel.
 */
export interface DeciderSpecification<Command, State, Event, Context> {
  given(events: readonly Event[]): {
    when(command: Command, context: Context): DeciderOutcome<State, Event>;
  };
}

export interface DeciderOutcome<State, Event> {
  /** The command succeeds with exactly these events (order matters). */
  then(expected: readonly Event[]): void;
  /** The command succeeds; the callback inspects the events and the state after them. */
  thenMatches(check: (events: readonly Event[], stateAfter: State) => void): void;
  /** The command is refused with this domain error code. */
  thenFails(code: DomainErrorCode): DomainError;
}

export function spec<Command, State, Event, Context>(
  decider: Decider<Command, State, Event, Context>,
): DeciderSpecification<Command, State, Event, Context> {
  return {
    given(givenEvents) {
      return {
        when(command, context) {
          const state = givenEvents.reduce((s, e) => decider.evolve(s, e), decider.initialState());
          const run = (): readonly Event[] => decider.decide(command, state, context);
          const succeed = (): readonly Event[] => {
            try {
              return run();
            } catch (error) {
              if (error instanceof DomainError) {
                throw new Error(`expected success, got ${error.code}: ${error.message}`);
              }
              throw error;
            }
          };
          return {
            // biome-ignore lint/suspicious/noThenProperty: given/when/then vocabulary; this object is never awaited.
            then(expected) {
              expect(succeed()).toEqual(expected);
            },
            thenMatches(check) {
              const events = succeed();
              check(
                events,
                events.reduce((s, e) => decider.evolve(s, e), state),
              );
            },
            thenFails(code) {
              let caught: unknown;
              try {
                const events = run();
                throw new Error(`expected ${code}, got events ${JSON.stringify(events)}`);
              } catch (error) {
                caught = error;
              }
              if (!(caught instanceof DomainError)) throw caught;
              expect(caught.code).toBe(code);
              return caught;
            },
          };
        },
      };
    },
  };
}
