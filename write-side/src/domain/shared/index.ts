export * from './checked-event.js';
export * from './decider.js';
export * from './domain-error.js';
export * from './local-time.js';
export * from './minute-intervals.js';
