import { describe, expect, it, vi } from 'vitest';
import { dockerEndpoints, eventStoreUrlForTests, postgresUrlForTests } from './test-stores.js';

describe('test stores', () => {
  it('returns the URL from the environment without probing Docker', async () => {
    const dockerAnswers = vi.fn(async () => true);
    const info = vi.fn();
    const env = { DATABASE_URL: 'postgres://u:p@db:5432/x', EVENTSTORE_URL: 'esdb://es:2113?tls=false' };
    expect(await postgresUrlForTests({ env, dockerAnswers, info })).toBe('postgres://u:p@db:5432/x');
    expect(await eventStoreUrlForTests({ env, dockerAnswers, info })).toBe('esdb://es:2113?tls=false');
    expect(dockerAnswers).not.toHaveBeenCalled();
    expect(info).not.toHaveBeenCalled();
  });

  it('returns undefined quickly and says so when the variable is unset and Docker does not answer', async () => {
    const info = vi.fn();
    const dockerAnswers = vi.fn(async () => false);
    const started = Date.now();
    expect(await postgresUrlForTests({ env: {}, dockerAnswers, info })).toBeUndefined();
    expect(
      await eventStoreUrlForTests({ env: { EVENTSTORE_URL: '  ' }, dockerAnswers, info }),
    ).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(dockerAnswers).toHaveBeenCalledTimes(2);
    expect(info.mock.calls.map(([line]) => line)).toEqual([
      '[test stores] DATABASE_URL unset and no Docker engine answered — PostgreSQL adapter tests skipped (PGlite runs the same SQL)',
      '[test stores] EVENTSTORE_URL unset and no Docker engine answered — EventStoreDB adapter tests skipped',
    ]);
  });

  it('treats a failing probe as no Docker', async () => {
    const info = vi.fn();
    const dockerAnswers = () => Promise.reject(new Error('connect ENOENT /var/run/docker.sock'));
    expect(await eventStoreUrlForTests({ env: {}, dockerAnswers, info })).toBeUndefined();
    expect(info).toHaveBeenCalledTimes(1);
  });

  it('reads the Docker endpoint from DOCKER_HOST', () => {
    expect(dockerEndpoints({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toEqual([
      { socketPath: '/run/user/1000/docker.sock' },
    ]);
    expect(dockerEndpoints({ DOCKER_HOST: 'tcp://10.0.0.5:2376' })).toEqual([
      { host: '10.0.0.5', port: 2376 },
    ]);
    expect(dockerEndpoints({ DOCKER_HOST: 'tcp://docker' })).toEqual([{ host: 'docker', port: 2375 }]);
    expect(dockerEndpoints({ DOCKER_HOST: 'ssh://user@remote' })).toEqual([]);
  });
});
