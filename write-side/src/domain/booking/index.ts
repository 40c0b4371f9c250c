export * from './booking-commands.js';
export * from './booking-decider.js';
export * from './booking-errors.js';
export * from './booking-reference.js';
export * from './booking-rules.js';
export * from './booking-state.js';
export * from './customer.js';
export * from './manage-token.js';
