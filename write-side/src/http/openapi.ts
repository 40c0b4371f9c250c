import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

export const OPENAPI_PATH = '/api/v1/openapi.json';

/**
 * Registers @fastify/swagger on the root instance, so every route registered afterwards (command
 * routes, and the read API's when it mounts here) lands in one OpenAPI 3 document, served at
 * `GET /api/v1/openapi.json`. Call it before registering routes.
 */
export async function registerOpenApi(
  app: FastifyInstance,
  options: { readonly version?: string } = {},
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'PTI Calendar API',
        description: 'Booking of vehicle inspections (contrôle technique): commands and queries.',
        version: options.version ?? '1.0.0',
      },
      tags: [
        { name: 'centres', description: 'Centre administration (staff)' },
        { name: 'calendar', description: 'A centre’s day: blocks, reassignments, waitlist' },
        { name: 'bookings', description: 'Booking lifecycle' },
        { name: 'manage', description: 'What a customer does with the manage link' },
        { name: 'gdpr', description: 'Data subjects’ rights: erasure and access (admin_reseau)' },
      ],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
}
