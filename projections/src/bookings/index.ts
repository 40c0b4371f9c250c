export * from './bookings-projector.js';
export * from './bookings-queries.js';
export {
  decodeCursor,
  encodeCursor,
  InvalidCursorError,
  type Page,
  type PageOptions,
  type ReadSource,
} from './shared.js';
