export * from './replay-at-instant.js';
