export * from './accreditation-rules.js';
export * from './centre-commands.js';
export * from './centre-day-configuration.js';
export * from './centre-decider.js';
export * from './centre-state.js';
