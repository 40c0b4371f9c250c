import { hostname } from 'node:os';
import { ConfigError } from '@pti/platform';
import type { ProjectionLeaseOptions } from '@pti/projections';
import type { RateLimitSettings } from '@pti/read-api';

/**
 * The read API's rate limits from `PTI_RATE_LIMIT`: unset keeps the defaults (600 public requests
 * per minute per IP), `off` disables limiting (benchmarks, or when the edge limits already), an
 * integer sets the public requests per minute per IP (staff get twice as many).
 */
export function rateLimitFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Partial<RateLimitSettings> | false | undefined {
  const raw = env.PTI_RATE_LIMIT?.trim() ?? '';
  if (raw === '') return undefined;
  if (raw === 'off') return false;
  if (/^\d{1,9}$/.test(raw) && Number(raw) > 0) {
    return { publicMax: Number(raw), staffMax: Number(raw) * 2 };
  }
  throw new ConfigError([
    `PTI_RATE_LIMIT: expected off or a positive integer (requests per minute), got ${JSON.stringify(raw)}`,
  ]);
}

/**
 * One owner per read model across `pti start projections` replicas (DESIGN.md §9), from
 * `PROJECTION_PARTITION_LEASE`: unset, `none` or `off` runs every projector here (embedded mode, a
 * single replica); `postgres` runs only the read models whose lease (a row in the projection
 * registry's `leases` table) this process holds, owner `PROJECTION_INSTANCE_ID` (default
 * `<hostname>-<pid>`), TTL `PROJECTION_LEASE_TTL_SECONDS` (default 15, renewed every third of it).
 */
export function projectionLeaseFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ProjectionLeaseOptions | undefined {
  const mode = env.PROJECTION_PARTITION_LEASE?.trim() ?? '';
  if (mode === '' || mode === 'none' || mode === 'off') return undefined;
  const problems: string[] = [];
  if (mode !== 'postgres') {
    problems.push(`PROJECTION_PARTITION_LEASE: expected postgres or none, got ${JSON.stringify(mode)}`);
  }
  const owner = env.PROJECTION_INSTANCE_ID?.trim() || `${hostname()}-${process.pid}`;
  if (owner.length > 200) problems.push('PROJECTION_INSTANCE_ID: at most 200 characters');
  const rawTtl = env.PROJECTION_LEASE_TTL_SECONDS?.trim() || '15';
  const ttlSeconds = Number(rawTtl);
  if (!/^\d{1,4}(\.\d{1,3})?$/.test(rawTtl) || ttlSeconds < 1 || ttlSeconds > 3_600) {
    problems.push(
      `PROJECTION_LEASE_TTL_SECONDS: expected a number of seconds from 1 to 3600, got ${JSON.stringify(rawTtl)}`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { owner, ttlMs: Math.round(ttlSeconds * 1_000) };
}
