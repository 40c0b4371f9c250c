export * from './available-starts.js';
export * from './day-load.js';
export * from './inspector-balancing.js';
export * from './start-evaluation.js';
