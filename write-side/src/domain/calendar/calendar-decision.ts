import type { SlotCalendarEvent } from '@pti/events';
import { type CalendarState, evolveCalendar } from './calendar-state.js';

/**
 * A decision in progress: the events decided so far and the state they lead to. Later steps of
 * the same command (assigning an overbooked reservation, then offering to the waitlist) must see
 * the earlier events, so every event is folded in as it is recorded, with the same `evolve` that
 * replays the stream.
 */
export interface CalendarDecision {
  state: CalendarState;
  readonly events: SlotCalendarEvent[];
}

export function startDecision(state: CalendarState): CalendarDecision {
  return { state, events: [] };
}

export function record(decision: CalendarDecision, event: SlotCalendarEvent): void {
  decision.events.push(event);
  decision.state = evolveCalendar(decision.state, event);
}
