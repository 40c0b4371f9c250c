export * from './embedded-issuer.js';
export * from './errors.js';
export * from './fastify-auth.js';
export * from './identity.js';
export * from './jwt-verifier.js';
export * from './password-hash.js';
export * from './principal.js';
