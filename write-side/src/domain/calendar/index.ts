export * from './calendar-commands.js';
export * from './calendar-decider.js';
export * from './calendar-state.js';
export * from './reservation-impact.js';
