import { ConfigError } from '@pti/platform';
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
