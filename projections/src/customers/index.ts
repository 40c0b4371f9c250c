export * from './customers-projector.js';
export * from './customers-queries.js';
