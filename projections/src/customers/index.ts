export * from './customer-bookings-queries.js';
export * from './customers-projector.js';
export * from './customers-queries.js';
