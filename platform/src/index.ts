export * from './auth/index.js';
export * from './cache/index.js';
export * from './config/index.js';
export * from './database/index.js';
export * from './ledger/index.js';
export * from './logging/index.js';
export * from './metrics/index.js';
export * from './personal-data/index.js';
