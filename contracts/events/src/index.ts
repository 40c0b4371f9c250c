export * from './envelope/metadata.js';
