import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, MEMORY_DATA_DIR } from './config.js';

const cwd = '/srv/pti';
const KEY_32 = Buffer.alloc(32, 7).toString('base64');

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, { cwd });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('given an empty environment, when loaded, then every embedded default applies', () => {
    expect(loadConfig({}, { cwd })).toEqual({
      env: 'development',
      http: { host: 'localhost', port: 3000 },
      log: { level: 'info' },
      dataDir: '/srv/pti/.pti-data',
      database: { kind: 'pglite', dataDir: '/srv/pti/.pti-data/pglite' },
      ledger: { kind: 'pglite', dataDir: '/srv/pti/.pti-data/pglite', schema: 'pti' },
      cache: { kind: 'memory' },
      bus: { kind: 'in-process' },
      auth: { oidcIssuer: null, jwksUri: null },
      pii: { masterKey: null },
      secrets: { manageTokenSecrets: null, customerIdSecret: null },
    });
  });

  it('treats empty values as unset, as docker-compose `FOO=` lines produce', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '  ', LEDGER: '' }, { cwd });
    expect(config.http.port).toBe(3000);
    expect(config.database.kind).toBe('pglite');
  });

  it('reads every variable into the nested shape', () => {
    const config = loadConfig(
      {
        NODE_ENV: 'production',
        PORT: '8080',
        HOST: '0.0.0.0',
        LOG_LEVEL: 'debug',
        PTI_DATA_DIR: '/var/lib/pti',
        DATABASE_URL: 'postgres://pti@db:5432/pti',
        PTI_DB_SCHEMA: 'ledger_v2',
        DATABASE_POOL_MAX: '50',
        REDIS_URL: 'redis://cache:6379/0',
        KAFKA_BROKERS: 'k1:9092, k2:9092',
        OIDC_ISSUER: 'https://auth.example.fr/realms/pti',
        PII_MASTER_KEY: KEY_32,
        PTI_MANAGE_TOKEN_SECRETS: `${KEY_32}, ${KEY_32}`,
        PTI_CUSTOMER_ID_SECRET: KEY_32,
      },
      { cwd },
    );
    expect(config).toEqual({
      env: 'production',
      http: { host: '0.0.0.0', port: 8080 },
      log: { level: 'debug' },
      dataDir: '/var/lib/pti',
      database: { kind: 'postgres', url: 'postgres://pti@db:5432/pti', poolMax: 50 },
      ledger: { kind: 'postgres', url: 'postgres://pti@db:5432/pti', schema: 'ledger_v2' },
      cache: { kind: 'redis', url: 'redis://cache:6379/0' },
      bus: { kind: 'kafka', brokers: ['k1:9092', 'k2:9092'] },
      auth: { oidcIssuer: 'https://auth.example.fr/realms/pti', jwksUri: null },
      pii: { masterKey: KEY_32 },
      secrets: { manageTokenSecrets: `${KEY_32}, ${KEY_32}`, customerIdSecret: KEY_32 },
    });
  });

  it('takes the write-side secrets together, checked at start, and requires them in production', () => {
    expect(() => loadConfig({ PTI_CUSTOMER_ID_SECRET: KEY_32 }, { cwd })).toThrow(/set both or neither/);
    expect(() => loadConfig({ NODE_ENV: 'production' }, { cwd })).toThrow(
      /required when NODE_ENV=production/,
    );
    let error: unknown;
    try {
      loadConfig({ PTI_MANAGE_TOKEN_SECRETS: `${KEY_32},c2hvcnQ=`, PTI_CUSTOMER_ID_SECRET: KEY_32 }, { cwd });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/PTI_MANAGE_TOKEN_SECRETS: expected comma-separated base64/);
    // The value itself is never echoed.
    expect(message).not.toContain('c2hvcnQ=');
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'k1:9092' }, { cwd });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
    expect(config.bus.kind === 'kafka' && Object.isFrozen(config.bus.brokers)).toBe(true);
  });

  it('keeps PGlite in memory when PTI_DATA_DIR is memory://', () => {
    const config = loadConfig({ PTI_DATA_DIR: MEMORY_DATA_DIR }, { cwd });
    expect(config.dataDir).toBe(MEMORY_DATA_DIR);
    expect(config.database).toEqual({ kind: 'pglite', dataDir: MEMORY_DATA_DIR });
  });

  describe('LEDGER inference', () => {
    it('is pglite without DATABASE_URL', () => {
      expect(loadConfig({}, { cwd }).ledger.kind).toBe('pglite');
    });

    it('is postgres with DATABASE_URL', () => {
      expect(loadConfig({ DATABASE_URL: 'postgresql://db/pti' }, { cwd }).ledger).toEqual({
        kind: 'postgres',
        url: 'postgresql://db/pti',
        schema: 'pti',
      });
    });

    it('honours an explicit LEDGER=pglite next to DATABASE_URL (read models stay on PostgreSQL)', () => {
      const config = loadConfig({ DATABASE_URL: 'postgres://db/pti', LEDGER: 'pglite' }, { cwd });
      expect(config.ledger).toEqual({ kind: 'pglite', dataDir: '/srv/pti/.pti-data/pglite', schema: 'pti' });
      expect(config.database.kind).toBe('postgres');
    });

    it('uses EVENTSTORE_URL for LEDGER=eventstoredb', () => {
      const config = loadConfig(
        { LEDGER: 'eventstoredb', EVENTSTORE_URL: 'esdb://es:2113?tls=false' },
        { cwd },
      );
      expect(config.ledger).toEqual({ kind: 'eventstoredb', url: 'esdb://es:2113?tls=false' });
    });

    it('requires EVENTSTORE_URL for LEDGER=eventstoredb', () => {
      expect(errorOf({ LEDGER: 'eventstoredb' }).issues).toEqual([
        'EVENTSTORE_URL: required when LEDGER=eventstoredb',
      ]);
    });

    it('requires DATABASE_URL for LEDGER=postgres', () => {
      expect(errorOf({ LEDGER: 'postgres' }).issues).toEqual(['DATABASE_URL: required when LEDGER=postgres']);
    });
  });

  describe('invalid variables', () => {
    it.each([
      ['NODE_ENV', 'staging', 'NODE_ENV: expected one of development, test, production, got "staging"'],
      ['PORT', 'abc', 'PORT: expected integer 1..65535, got "abc"'],
      ['PORT', '70000', 'PORT: expected integer 1..65535, got "70000"'],
      ['PORT', '0', 'PORT: expected integer 1..65535, got "0"'],
      ['PORT', '3000.5', 'PORT: expected integer 1..65535, got "3000.5"'],
      ['PORT', '1e3', 'PORT: expected integer 1..65535, got "1e3"'],
      [
        'LOG_LEVEL',
        'verbose',
        'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
      ],
      [
        'DATABASE_URL',
        'mysql://db/pti',
        'DATABASE_URL: expected a postgres:// or postgresql:// URL, got "mysql://db/pti"',
      ],
      [
        'DATABASE_URL',
        'postgres://[bad',
        'DATABASE_URL: expected a postgres:// or postgresql:// URL, got "postgres://[bad"',
      ],
      [
        'PTI_DB_SCHEMA',
        'Pti-Ledger',
        'PTI_DB_SCHEMA: expected lowercase SQL identifier (a-z, 0-9, _; at most 63 characters), got "Pti-Ledger"',
      ],
      ['DATABASE_POOL_MAX', '-1', 'DATABASE_POOL_MAX: expected integer 1..1000, got "-1"'],
      ['LEDGER', 'kafka', 'LEDGER: expected one of postgres, pglite, eventstoredb, got "kafka"'],
      [
        'EVENTSTORE_URL',
        'http://es:2113',
        'EVENTSTORE_URL: expected an esdb:// or esdb+discover:// URL, got "http://es:2113"',
      ],
      [
        'REDIS_URL',
        'localhost:6379',
        'REDIS_URL: expected a redis:// or rediss:// URL, got "localhost:6379"',
      ],
      ['KAFKA_BROKERS', 'k1,k2', 'KAFKA_BROKERS: expected comma-separated host:port list, got "k1,k2"'],
      ['OIDC_ISSUER', 'auth.example.fr', 'OIDC_ISSUER: expected an http(s) URL, got "auth.example.fr"'],
      [
        'PII_MASTER_KEY',
        Buffer.alloc(16).toString('base64'),
        'PII_MASTER_KEY: expected base64 of exactly 32 bytes, got a value of 24 characters',
      ],
      [
        'PII_MASTER_KEY',
        `${KEY_32.slice(0, -4)}!!!!`,
        'PII_MASTER_KEY: expected base64 of exactly 32 bytes, got a value of 44 characters',
      ],
    ])('names %s when it is %j', (name, value, issue) => {
      const error = errorOf({ [name]: value });
      expect(error.issues).toEqual([issue]);
      expect(error.message).toContain(issue);
    });

    it('keeps secrets out of the message', () => {
      expect(errorOf({ DATABASE_URL: 'mysql://pti:s3cret@db/pti' }).issues).toEqual([
        'DATABASE_URL: expected a postgres:// or postgresql:// URL, got "mysql://pti:***@db/pti"',
      ]);
      expect(errorOf({ PII_MASTER_KEY: 'c2VjcmV0' }).message).not.toContain('c2VjcmV0');
    });

    it('names every bad variable at once', () => {
      const error = errorOf({ PORT: 'abc', NODE_ENV: 'qa', REDIS_URL: 'nope' });
      expect(error.issues).toHaveLength(3);
      expect(error.message).toMatch(/NODE_ENV: .*PORT: .*REDIS_URL: /s);
      expect(error.code).toBe('invalid_config');
    });
  });
});
