export * from './agenda-projector.js';
export * from './agenda-queries.js';
