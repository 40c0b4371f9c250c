export * from './duration-matrix.js';
