export * from './cpu-account.js';
export * from './metrics.js';
