import type { FastifyReply } from 'fastify';

/**
 * Caching of answers. Public, non-personal data (centres, availability) may be cached a few seconds
 * by browsers and the edge, which absorbs bursts; anything personal or staff-only is never stored.
 */
export function cachePublicly(reply: FastifyReply, seconds: number): void {
  reply.header('cache-control', `public, max-age=${seconds}`);
}

export function neverStore(reply: FastifyReply): void {
  reply.header('cache-control', 'private, no-store');
}
