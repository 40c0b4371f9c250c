export * from './reporting-columns.js';
export * from './reporting-projector.js';
export * from './reporting-queries.js';
