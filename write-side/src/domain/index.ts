/**
 * The write side's pure domain: deciders, evolve, availability, pricing, durations. No I/O imports:
 * projections and read-api may import this entry (`@pti/write-side/domain`), never the package root.
 */
export * from './availability/index.js';
export * from './booking/index.js';
export * from './calendar/index.js';
export * from './centre/index.js';
export * from './durations/index.js';
export * from './pricing/index.js';
export * from './replay/index.js';
export * from './shared/index.js';
