import { hostname } from 'node:os';
import { ConfigError } from '@pti/platform';
import { describe, expect, it } from 'vitest';
import { projectionLeaseFromEnv } from '../src/start/start-settings.js';

describe('projectionLeaseFromEnv', () => {
  it('is off unless PROJECTION_PARTITION_LEASE=postgres', () => {
    expect(projectionLeaseFromEnv({})).toBeUndefined();
    expect(projectionLeaseFromEnv({ PROJECTION_PARTITION_LEASE: 'none' })).toBeUndefined();
    expect(projectionLeaseFromEnv({ PROJECTION_PARTITION_LEASE: ' off ' })).toBeUndefined();
  });

  it('takes the owner and TTL from the environment, with defaults', () => {
    expect(
      projectionLeaseFromEnv({
        PROJECTION_PARTITION_LEASE: 'postgres',
        PROJECTION_INSTANCE_ID: 'projections-1',
        PROJECTION_LEASE_TTL_SECONDS: '7.5',
      }),
    ).toEqual({ owner: 'projections-1', ttlMs: 7_500 });
    expect(projectionLeaseFromEnv({ PROJECTION_PARTITION_LEASE: 'postgres' })).toEqual({
      owner: `${hostname()}-${process.pid}`,
      ttlMs: 15_000,
    });
  });

  it('refuses an unknown mode or a TTL that is not 1 to 3600 seconds, naming every problem', () => {
    const error = (() => {
      try {
        projectionLeaseFromEnv({ PROJECTION_PARTITION_LEASE: 'redis', PROJECTION_LEASE_TTL_SECONDS: '0' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      expect.stringContaining('PROJECTION_PARTITION_LEASE'),
      expect.stringContaining('PROJECTION_LEASE_TTL_SECONDS'),
    ]);
    for (const ttl of ['-1', 'abc', '3601', '1e3']) {
      expect(
        () =>
          projectionLeaseFromEnv({
            PROJECTION_PARTITION_LEASE: 'postgres',
            PROJECTION_LEASE_TTL_SECONDS: ttl,
          }),
        ttl,
      ).toThrow(ConfigError);
    }
  });
});
