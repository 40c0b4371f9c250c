export * from './database.js';
export * from './pg.js';
export * from './pg-copy.js';
export * from './pglite.js';
export * from './sql-executor.js';
