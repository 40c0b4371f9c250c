/**
 * @pti/sagas: the platform's process managers (DESIGN.md §7) and their durable runtime.
 */
export * from './adelsoft/adelsoft-client.js';
export * from './adelsoft/adelsoft-saga.js';
export * from './adelsoft/adelsoft-simulator.js';
export * from './adelsoft/adelsoft-wire.js';
export * from './commands/saga-commands.js';
export * from './commands/write-side-commands.js';
export * from './config/sagas-config.js';
export * from './holds/hold-release-saga.js';
export * from './http/motorist-payment-routes.js';
export * from './http/resend-confirmation-routes.js';
export * from './http/saga-routes.js';
export * from './http/staff-saga-routes.js';
export * from './integration/integration-relay.js';
export * from './integration/integration-stream-routes.js';
export * from './integration/kafka-publisher.js';
export * from './notifications/brevo/brevo-client.js';
export * from './notifications/channels.js';
export * from './notifications/confirmation-resend.js';
export * from './notifications/ics.js';
export * from './notifications/notification-saga.js';
export * from './notifications/outbox.js';
export * from './notifications/smsmode/smsmode-client.js';
export * from './notifications/templates.js';
export * from './payment/lemonway/lemonway-adapter.js';
export * from './payment/payment-provider.js';
export * from './payment/payment-saga.js';
export * from './payment/payment-service.js';
export * from './payment/payzen/payzen-adapter.js';
export * from './payment/payzen/payzen-simulator.js';
export {
  type CreatePaymentRequest as PayzenCreatePaymentRequest,
  krHash,
  krHashMatches,
  type PaymentAnswer as PayzenPaymentAnswer,
  signedAnswerFields as payzenSignedAnswerFields,
} from './payment/payzen/payzen-wire.js';
export * from './privacy/sagas-erasure.js';
export * from './runtime/backoff.js';
export * from './runtime/clock.js';
export * from './runtime/saga.js';
export * from './runtime/saga-runtime.js';
export * from './runtime/saga-store.js';
export * from './runtime/sql-names.js';
export * from './start/saga-adapters.js';
export * from './start/start-sagas.js';
export * from './waitlist/waitlist-offer-saga.js';
