// cache-contract.ts is left out on purpose: it imports vitest, which must not load in production.
export * from './cache.js';
export * from './memory-cache.js';
export * from './redis-cache.js';
