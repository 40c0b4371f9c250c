import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths as CommandPaths } from './generated/command-api.js';
import type { paths as ReadPaths } from './generated/read-api.js';

/**
 * Typed HTTP clients of the PTI Calendar API, generated from the servers' OpenAPI documents
 * (`npm run generate -w @pti/api-client`). The front ends speak to the platform only through these.
 *
 * Both default to the page's own origin (`baseUrl: ''`), as served by `npm start`.
 */

export type { CommandPaths, ReadPaths };
export type CommandClient = Client<CommandPaths>;
export type ReadClient = Client<ReadPaths>;

export interface PtiApi {
  /** The command routes (write side): book, confirm, cancel, reschedule, administration. */
  readonly commands: CommandClient;
  /** The query routes (read API): search, availability, lookups, staff views, reporting, audit. */
  readonly queries: ReadClient;
}

export function createPtiApi(options: ClientOptions = {}): PtiApi {
  const settings: ClientOptions = { baseUrl: '', ...options };
  return {
    commands: createClient<CommandPaths>(settings),
    queries: createClient<ReadPaths>(settings),
  };
}

/** The body of an `application/problem+json` answer (every error of the API). */
export interface ApiProblem {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly code?: string;
  readonly detail?: string;
  readonly errors?: readonly { readonly path?: string; readonly message?: string }[];
}

/** Narrows an error body to a problem with a stable code. */
export function asProblem(body: unknown): ApiProblem | null {
  if (typeof body !== 'object' || body === null) return null;
  const candidate = body as Record<string, unknown>;
  return typeof candidate.code === 'string' || typeof candidate.title === 'string'
    ? (candidate as ApiProblem)
    : null;
}

/** A fresh Idempotency-Key for a command (retries of the same command reuse it). */
export function idempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}
