import { resolve } from 'node:path';
import { type SchemaOptions, type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * Application configuration from environment variables (DESIGN.md §8): validated once at start,
 * with embedded defaults so `npm start` works on a bare machine (PGlite, in-memory cache).
 *
 * Variables (an empty value counts as unset, as docker-compose `FOO=` lines produce):
 *
 * | variable            | default                                   | meaning                                   |
 * | ------------------- | ----------------------------------------- | ----------------------------------------- |
 * | `NODE_ENV`          | `development`                             | development, test or production           |
 * | `PORT`, `HOST`      | `3000`, `localhost`                       | HTTP listener                             |
 * | `LOG_LEVEL`         | `info`                                    | pino level                                |
 * | `PTI_DATA_DIR`      | `.pti-data` (resolved against cwd)        | local state; `memory://` keeps it in RAM  |
 * | `DATABASE_URL`      | unset: embedded PGlite in `<dataDir>/pglite` | PostgreSQL for ledger and read models  |
 * | `PTI_DB_SCHEMA`     | `pti`                                     | schema of the ledger tables               |
 * | `DATABASE_POOL_MAX` | `20`                                      | pg pool size                              |
 * | `LEDGER`            | `postgres` with DATABASE_URL, else `pglite` | ledger adapter                          |
 * | `EVENTSTORE_URL`    | required when `LEDGER=eventstoredb`       | `esdb://` connection string               |
 * | `REDIS_URL`         | unset: in-memory cache                    | `redis://` or `rediss://`                 |
 * | `KAFKA_BROKERS`     | unset: in-process bus                     | `host:port` list, comma separated         |
 * | `OIDC_ISSUER`       | unset: no OIDC                            | http(s) issuer URL                        |
 * | `OIDC_JWKS_URI`     | unset: discovered from the issuer         | JWKS URL when the issuer's public name is not reachable from here |
 * | `PII_MASTER_KEY`    | unset                                     | base64 of 32 bytes                        |
 * | `PTI_MANAGE_TOKEN_SECRETS` | unset: generated under the data dir (embedded) | base64 (≥ 32 bytes) list, comma separated; the first signs manage links |
 * | `PTI_CUSTOMER_ID_SECRET`   | unset: generated under the data dir (embedded) | base64 of ≥ 32 bytes; keys private customers' ids |
 *
 * The two write-side secrets are set together or not at all, and both are required when
 * `NODE_ENV=production` (a generated secret would silently differ between replicas).
 *
 * The resulting {@link AppConfig} is nested by concern:
 *
 * ```
 * { env, http: { host, port }, log: { level }, dataDir,
 *   database: { kind: 'postgres', url, poolMax } | { kind: 'pglite', dataDir },
 *   ledger:   { kind: 'postgres', url, schema } | { kind: 'pglite', dataDir, schema } | { kind: 'eventstoredb', url },
 *   cache:    { kind: 'redis', url } | { kind: 'memory' },
 *   bus:      { kind: 'kafka', brokers } | { kind: 'in-process' },
 *   auth:     { oidcIssuer: string | null, jwksUri: string | null },
 *   pii:      { masterKey: string | null },   // masterKey stays base64; decode where it is used
 *   secrets:  { manageTokenSecrets: string | null, customerIdSecret: string | null } }  // base64, as given
 * ```
 *
 * When `database` and `ledger` are both `pglite` they name the same `dataDir`: the composition root
 * must open that PGlite instance once and share it (one process may not open a data dir twice).
 */

/** Sentinel data dir: PGlite in memory, nothing written to disk (tests, demos). */
export const MEMORY_DATA_DIR = 'memory://';

// Factories rather than constants: the env schema adds a `default` to the same shapes.
const nodeEnv = (options: SchemaOptions = {}) =>
  Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
    description: 'one of development, test, production',
    ...options,
  });
const logLevel = (options: SchemaOptions = {}) =>
  Type.Union(
    [
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('trace'),
      Type.Literal('silent'),
    ],
    { description: 'one of fatal, error, warn, info, debug, trace, silent', ...options },
  );
const port = (options: SchemaOptions = {}) =>
  Type.Integer({ minimum: 1, maximum: 65535, description: 'integer 1..65535', ...options });
const poolMax = (options: SchemaOptions = {}) =>
  Type.Integer({ minimum: 1, maximum: 1000, description: 'integer 1..1000', ...options });
const sqlIdentifier = (options: SchemaOptions = {}) =>
  Type.String({
    pattern: '^[a-z_][a-z0-9_]{0,62}$',
    description: 'lowercase SQL identifier (a-z, 0-9, _; at most 63 characters)',
    ...options,
  });

/**
 * The environment after parsing each variable on its own. Each `description` is the "expected …"
 * text of the error message; `default` is the embedded default.
 */
export const EnvSchema = Type.Object({
  NODE_ENV: Type.Optional(nodeEnv({ default: 'development' })),
  PORT: Type.Optional(port({ default: 3000 })),
  HOST: Type.Optional(
    Type.String({ minLength: 1, description: 'a host name or address', default: 'localhost' }),
  ),
  LOG_LEVEL: Type.Optional(logLevel({ default: 'info' })),
  PTI_DATA_DIR: Type.Optional(
    Type.String({ minLength: 1, description: 'a directory path', default: '.pti-data' }),
  ),
  DATABASE_URL: Type.Optional(
    Type.String({ pattern: '^postgres(ql)?://', description: 'a postgres:// or postgresql:// URL' }),
  ),
  PTI_DB_SCHEMA: Type.Optional(sqlIdentifier({ default: 'pti' })),
  DATABASE_POOL_MAX: Type.Optional(poolMax({ default: 20 })),
  LEDGER: Type.Optional(
    Type.Union([Type.Literal('postgres'), Type.Literal('pglite'), Type.Literal('eventstoredb')], {
      description: 'one of postgres, pglite, eventstoredb',
    }),
  ),
  EVENTSTORE_URL: Type.Optional(
    Type.String({ pattern: '^esdb(\\+discover)?://', description: 'an esdb:// or esdb+discover:// URL' }),
  ),
  REDIS_URL: Type.Optional(
    Type.String({ pattern: '^rediss?://', description: 'a redis:// or rediss:// URL' }),
  ),
  KAFKA_BROKERS: Type.Optional(
    Type.String({
      pattern: '^[^\\s,:]+:\\d{1,5}(\\s*,\\s*[^\\s,:]+:\\d{1,5})*$',
      description: 'comma-separated host:port list',
    }),
  ),
  OIDC_ISSUER: Type.Optional(Type.String({ pattern: '^https?://', description: 'an http(s) URL' })),
  OIDC_JWKS_URI: Type.Optional(Type.String({ pattern: '^https?://', description: 'an http(s) URL' })),
  PII_MASTER_KEY: Type.Optional(Type.String({ description: 'base64 of exactly 32 bytes' })),
  PTI_MANAGE_TOKEN_SECRETS: Type.Optional(
    Type.String({ description: 'comma-separated base64 values of at least 32 bytes each' }),
  ),
  PTI_CUSTOMER_ID_SECRET: Type.Optional(Type.String({ description: 'base64 of at least 32 bytes' })),
});
export type Env = Static<typeof EnvSchema>;

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const AppConfigSchema = Type.Object({
  env: nodeEnv(),
  http: Type.Object({ host: Type.String(), port: port() }),
  log: Type.Object({ level: logLevel() }),
  /** Absolute path of local state, or {@link MEMORY_DATA_DIR}. */
  dataDir: Type.String(),
  database: Type.Union([
    Type.Object({ kind: Type.Literal('postgres'), url: Type.String(), poolMax: poolMax() }),
    Type.Object({ kind: Type.Literal('pglite'), dataDir: Type.String() }),
  ]),
  ledger: Type.Union([
    Type.Object({ kind: Type.Literal('postgres'), url: Type.String(), schema: sqlIdentifier() }),
    Type.Object({ kind: Type.Literal('pglite'), dataDir: Type.String(), schema: sqlIdentifier() }),
    Type.Object({ kind: Type.Literal('eventstoredb'), url: Type.String() }),
  ]),
  cache: Type.Union([
    Type.Object({ kind: Type.Literal('redis'), url: Type.String() }),
    Type.Object({ kind: Type.Literal('memory') }),
  ]),
  bus: Type.Union([
    Type.Object({ kind: Type.Literal('kafka'), brokers: Type.Array(Type.String(), { minItems: 1 }) }),
    Type.Object({ kind: Type.Literal('in-process') }),
  ]),
  auth: Type.Object({ oidcIssuer: Nullable(Type.String()), jwksUri: Nullable(Type.String()) }),
  pii: Type.Object({ masterKey: Nullable(Type.String()) }),
  /** The write side's HMAC secrets (manage links, customer ids), base64 as configured. */
  secrets: Type.Object({
    manageTokenSecrets: Nullable(Type.String()),
    customerIdSecret: Nullable(Type.String()),
  }),
});

type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export type AppConfig = DeepReadonly<Static<typeof AppConfigSchema>>;
export type LogLevel = AppConfig['log']['level'];
export type NodeEnv = AppConfig['env'];
export type DatabaseConfig = AppConfig['database'];
export type LedgerConfig = AppConfig['ledger'];
export type CacheConfig = AppConfig['cache'];

/** Invalid configuration; `issues` holds one line per bad variable, all named in `message`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';
  constructor(readonly issues: readonly string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
  }
}

export interface LoadConfigOptions {
  /** Directory a relative PTI_DATA_DIR is resolved against; defaults to process.cwd(). */
  readonly cwd?: string;
}

type RawEnv = Readonly<Record<string, string | undefined>>;

/** Reads, validates and freezes the configuration; throws {@link ConfigError} naming every bad variable. */
export function loadConfig(env: RawEnv = process.env, options: LoadConfigOptions = {}): AppConfig {
  const issues: string[] = [];
  const parsed = parseEnv(env, issues);
  if (parsed === null) throw new ConfigError(issues);

  // parseEnv filled every defaulted variable; the `??` fallbacks only satisfy the optional types.
  const dataDirRaw = parsed.PTI_DATA_DIR ?? '.pti-data';
  const dataDir =
    dataDirRaw === MEMORY_DATA_DIR ? MEMORY_DATA_DIR : resolve(options.cwd ?? process.cwd(), dataDirRaw);
  const pgliteDir = dataDir === MEMORY_DATA_DIR ? MEMORY_DATA_DIR : resolve(dataDir, 'pglite');
  const ledger = ledgerConfig(parsed, pgliteDir, issues);
  if (ledger === null) throw new ConfigError(issues);
  const manageTokenSecrets = parsed.PTI_MANAGE_TOKEN_SECRETS ?? null;
  const customerIdSecret = parsed.PTI_CUSTOMER_ID_SECRET ?? null;
  if ((manageTokenSecrets === null) !== (customerIdSecret === null)) {
    throw new ConfigError([
      'PTI_MANAGE_TOKEN_SECRETS, PTI_CUSTOMER_ID_SECRET: set both or neither (embedded mode generates them)',
    ]);
  }
  if (manageTokenSecrets === null && parsed.NODE_ENV === 'production') {
    throw new ConfigError([
      'PTI_MANAGE_TOKEN_SECRETS, PTI_CUSTOMER_ID_SECRET: required when NODE_ENV=production',
    ]);
  }

  const config: Static<typeof AppConfigSchema> = {
    env: parsed.NODE_ENV ?? 'development',
    http: { host: parsed.HOST ?? 'localhost', port: parsed.PORT ?? 3000 },
    log: { level: parsed.LOG_LEVEL ?? 'info' },
    dataDir,
    database:
      parsed.DATABASE_URL === undefined
        ? { kind: 'pglite', dataDir: pgliteDir }
        : { kind: 'postgres', url: parsed.DATABASE_URL, poolMax: parsed.DATABASE_POOL_MAX ?? 20 },
    ledger,
    cache: parsed.REDIS_URL === undefined ? { kind: 'memory' } : { kind: 'redis', url: parsed.REDIS_URL },
    bus:
      parsed.KAFKA_BROKERS === undefined
        ? { kind: 'in-process' }
        : { kind: 'kafka', brokers: parsed.KAFKA_BROKERS.split(',').map((broker) => broker.trim()) },
    auth: { oidcIssuer: parsed.OIDC_ISSUER ?? null, jwksUri: parsed.OIDC_JWKS_URI ?? null },
    pii: { masterKey: parsed.PII_MASTER_KEY ?? null },
    secrets: { manageTokenSecrets, customerIdSecret },
  };
  return deepFreeze(config);
}

/** LEDGER defaults to postgres when DATABASE_URL is set, else pglite; each kind needs its URL. */
function ledgerConfig(
  parsed: Env,
  pgliteDir: string,
  issues: string[],
): Static<typeof AppConfigSchema>['ledger'] | null {
  const schema = parsed.PTI_DB_SCHEMA ?? 'pti';
  const kind = parsed.LEDGER ?? (parsed.DATABASE_URL === undefined ? 'pglite' : 'postgres');
  switch (kind) {
    case 'pglite':
      return { kind, dataDir: pgliteDir, schema };
    case 'postgres':
      if (parsed.DATABASE_URL !== undefined) return { kind, url: parsed.DATABASE_URL, schema };
      issues.push('DATABASE_URL: required when LEDGER=postgres');
      return null;
    case 'eventstoredb':
      if (parsed.EVENTSTORE_URL !== undefined) return { kind, url: parsed.EVENTSTORE_URL };
      issues.push('EVENTSTORE_URL: required when LEDGER=eventstoredb');
      return null;
  }
}

/** Parses each variable against its schema; returns null after pushing one issue per bad variable. */
function parseEnv(env: RawEnv, issues: string[]): Env | null {
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries<TSchema>(EnvSchema.properties)) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') {
      if (schema.default !== undefined) out[name] = schema.default;
      continue;
    }
    const value = schema.type === 'integer' ? parseInteger(raw) : raw.trim();
    if (value !== null && Value.Check(schema, value) && refines(name, raw.trim())) out[name] = value;
    else issues.push(`${name}: expected ${String(schema.description)}, got ${shown(name, raw)}`);
  }
  if (issues.length > 0) return null;
  if (!Value.Check(EnvSchema, out)) {
    // Unreachable when each property passed; kept so a schema edit cannot slip through unchecked.
    throw new ConfigError([...Value.Errors(EnvSchema, out)].map((e) => `${e.path}: ${e.message}`));
  }
  return out;
}

const SECRET_VARIABLES = new Set(['PII_MASTER_KEY', 'PTI_MANAGE_TOKEN_SECRETS', 'PTI_CUSTOMER_ID_SECRET']);

/** At least 32 bytes of base64 (standard or URL alphabet), as the write side decodes its secrets. */
function isLongBase64(value: string): boolean {
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length >= 32;
}

/** The rejected value as the error shows it: secrets are not echoed into logs. */
function shown(name: string, raw: string): string {
  if (SECRET_VARIABLES.has(name)) return `a value of ${raw.length} characters`;
  // A URL's password stays out of the message.
  return JSON.stringify(raw.replace(/(\/\/[^/@:]*:)[^@/]*@/, '$1***@'));
}

/** Strict decimal integer: rejects "3000.5", "1e3", "0x10" that Number() would accept. */
function parseInteger(raw: string): number | null {
  const trimmed = raw.trim();
  return /^\d{1,15}$/.test(trimmed) ? Number(trimmed) : null;
}

/** Checks a schema pattern cannot express. */
function refines(name: string, value: string): boolean {
  switch (name) {
    case 'DATABASE_URL':
    case 'EVENTSTORE_URL':
    case 'REDIS_URL':
    case 'OIDC_ISSUER':
    case 'OIDC_JWKS_URI':
      return URL.canParse(value);
    case 'PII_MASTER_KEY':
      // Buffer.from ignores bad characters, so the alphabet is checked first.
      return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32;
    case 'PTI_MANAGE_TOKEN_SECRETS': {
      const parts = value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
      return parts.length > 0 && parts.every(isLongBase64);
    }
    case 'PTI_CUSTOMER_ID_SECRET':
      return isLongBase64(value);
    default:
      return true;
  }
}

function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  // Freezing is the runtime half of DeepReadonly; the type cannot follow Object.freeze's recursion.
  return value as DeepReadonly<T>;
}
