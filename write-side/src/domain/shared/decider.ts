import { DomainError } from './domain-error.js';

/**
 * A decider (DESIGN.md §2): the whole behaviour of an aggregate as three pure functions.
 *
 * - `decide` either returns the events the command produces (possibly none: an idempotent no-op)
 *   or throws a `DomainError` with a stable code. It never mutates `state`, never reads a clock
 *   (the time and any outside facts come in `context`) and never does I/O.
 * - `evolve` folds one event into the state. It never throws for an event `decide` could have
 *   produced, so replaying a stream always succeeds.
 *
 * Throwing (rather than returning a Result) keeps multi-step `decide` bodies flat; `tryDecide`
 * turns the outcome into a value for callers that prefer one.
 */
export interface Decider<Command, State, Event, Context = void> {
  initialState(): State;
  decide(command: Command, state: State, context: Context): readonly Event[];
  evolve(state: State, event: Event): State;
}

/** Replays events from the initial state. */
export function foldEvents<Command, State, Event, Context>(
  decider: Decider<Command, State, Event, Context>,
  events: readonly Event[],
  from: State = decider.initialState(),
): State {
  return events.reduce((state, event) => decider.evolve(state, event), from);
}

export type DecideResult<Event> =
  | { readonly ok: true; readonly events: readonly Event[] }
  | { readonly ok: false; readonly error: DomainError };

/** `decide` as a value: domain refusals become `{ ok: false }`; programming errors still throw. */
export function tryDecide<Command, State, Event, Context>(
  decider: Decider<Command, State, Event, Context>,
  command: Command,
  state: State,
  context: Context,
): DecideResult<Event> {
  try {
    return { ok: true, events: decider.decide(command, state, context) };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, error };
    throw error;
  }
}
