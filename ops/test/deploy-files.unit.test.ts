import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, EnvSchema, loadConfig } from '@pti/platform';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const deployDir = path.join(repoRoot, 'ops/deploy');
const composePath = path.join(deployDir, 'docker-compose.yml');
const realmPath = path.join(deployDir, 'keycloak/pti-realm.json');

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  profiles?: string[];
  restart?: string;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | { target: number }>;
  volumes?: Array<string | { source?: string; target: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string; required?: boolean }>;
}
interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  include?: Array<string | { path: string | string[] }>;
}

const composeText = readFileSync(composePath, 'utf8');
// `merge: true`: the application services share settings through YAML merge keys (`<<: *pti-app`),
// which Docker Compose applies.
const compose = parse(composeText, { merge: true }) as ComposeFile;

/** A service's environment as a map, whichever of the two compose forms it uses. */
function env(service: ComposeService): Record<string, string> {
  const raw = service.environment ?? {};
  if (Array.isArray(raw)) {
    return Object.fromEntries(
      raw.map((entry) => {
        const at = entry.indexOf('=');
        return at === -1 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

function service(name: string): ComposeService {
  const s = compose.services[name];
  if (s === undefined) throw new Error(`docker-compose.yml has no service '${name}'`);
  return s;
}

/** Container ports a service publishes (`"${X:-5432}:5432"` → 5432). */
function containerPorts(s: ComposeService): number[] {
  return (s.ports ?? []).map((p) => (typeof p === 'string' ? Number(p.split(':').pop()) : p.target));
}

const REQUIRED_SERVICES = {
  kurrentdb:
    /^(docker\.eventstore\.com\/kurrent-latest\/kurrentdb|docker\.kurrent\.io\/.*kurrentdb|eventstore\/eventstore)(:|$)/,
  postgres: /^postgres:15(\b|$)/,
  redis: /^redis:7(\b|$)/,
  kafka: /^(apache\/kafka|bitnami\/kafka)(:|$)/,
  keycloak: /^quay\.io\/keycloak\/keycloak(:|$)/,
} as const;

describe('docker-compose.yml', () => {
  it('is included by the root docker-compose.yml (one source of truth)', () => {
    const root = parse(
      readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'),
    ) as Partial<ComposeFile>;
    expect(root.services).toBeUndefined();
    const included = (root.include ?? []).flatMap((entry) =>
      typeof entry === 'string' ? [entry] : ([] as string[]).concat(entry.path),
    );
    expect(included.map((p) => path.normalize(p))).toContain(path.normalize('ops/deploy/docker-compose.yml'));
  });

  it.each(Object.entries(REQUIRED_SERVICES))(
    'has service %s with its image and a healthcheck',
    (name, image) => {
      const s = service(name);
      expect(s.image).toMatch(image);
      expect(s.healthcheck?.disable).not.toBe(true);
      const test = s.healthcheck?.test;
      expect(test, `${name} healthcheck.test`).toBeDefined();
      expect(Array.isArray(test) ? test.length : String(test).length).toBeGreaterThan(1);
    },
  );

  it('has a healthcheck on every long-running service, and the infrastructure alone outside any profile', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      expect(s.image, `${name} image`).toBeDefined();
      if (name === 'migrate') continue; // one-shot: its exit code is its health
      expect(s.healthcheck?.disable, `${name} healthcheck`).not.toBe(true);
      expect(s.healthcheck?.test, `${name} healthcheck`).toBeDefined();
    }
    const infrastructure = Object.entries(compose.services).filter(
      ([, s]) => (s.profiles ?? []).length === 0,
    );
    expect(infrastructure.map(([name]) => name).sort()).toEqual(Object.keys(REQUIRED_SERVICES).sort());
  });

  it('runs KurrentDB single-node and insecure on 2113', () => {
    const s = service('kurrentdb');
    const e = env(s);
    expect(e.KURRENTDB_INSECURE ?? e.EVENTSTORE_INSECURE).toBe('true');
    expect(containerPorts(s)).toContain(2113);
  });

  it('runs Kafka in KRaft mode, without ZooKeeper', () => {
    const s = service('kafka');
    const e = env(s);
    const roles = (e.KAFKA_PROCESS_ROLES ?? e.KAFKA_CFG_PROCESS_ROLES ?? '').split(',').map((r) => r.trim());
    expect(roles.sort()).toEqual(['broker', 'controller']);
    expect(e.KAFKA_CONTROLLER_QUORUM_VOTERS ?? e.KAFKA_CFG_CONTROLLER_QUORUM_VOTERS).toMatch(/^1@/);
    expect(e.KAFKA_CONTROLLER_LISTENER_NAMES ?? e.KAFKA_CFG_CONTROLLER_LISTENER_NAMES).toBeTruthy();
    expect(Object.keys(e).filter((k) => /ZOOKEEPER/i.test(k))).toEqual([]);
    for (const [name, svc] of Object.entries(compose.services)) {
      expect(`${name} ${svc.image ?? ''}`).not.toMatch(/zookeeper/i);
    }
    expect(containerPorts(s)).toContain(9092);
  });

  it('runs PostgreSQL and Redis on their standard ports', () => {
    expect(containerPorts(service('postgres'))).toContain(5432);
    expect(containerPorts(service('redis'))).toContain(6379);
    expect(JSON.stringify(service('postgres').healthcheck?.test)).toContain('pg_isready');
  });

  it('starts Keycloak in dev mode importing the realm file', () => {
    const s = service('keycloak');
    const command = Array.isArray(s.command) ? s.command.join(' ') : String(s.command ?? '');
    expect(command).toContain('start-dev');
    expect(command).toContain('--import-realm');
    const mounts = (s.volumes ?? []).map((v) =>
      typeof v === 'string' ? { source: v.split(':')[0] ?? '', target: v.split(':')[1] ?? '' } : v,
    );
    const importMount = mounts.find((m) => m.target === '/opt/keycloak/data/import');
    expect(importMount, 'a mount on /opt/keycloak/data/import').toBeDefined();
    const source = path.resolve(deployDir, importMount?.source ?? '');
    expect(existsSync(path.join(source, 'pti-realm.json'))).toBe(true);
    expect(containerPorts(s)).toContain(8080);
  });

  it('documents, at the top, the environment an app uses to reach the services', () => {
    const header = composeText.slice(0, composeText.indexOf('\nservices:'));
    for (const variable of ['DATABASE_URL', 'REDIS_URL', 'EVENTSTORE_URL', 'KAFKA_BROKERS', 'OIDC_ISSUER']) {
      expect(header, variable).toMatch(new RegExp(`^#\\s+${variable}=\\S+`, 'm'));
    }
    expect(header).toMatch(/OIDC_ISSUER=http:\/\/localhost:8080\/realms\/pti/);
  });
});

// ---------------------------------------------------------------------------------------------------
// Application containers (profile `app`): one per role from the repository's Dockerfile, a one-shot
// migrate, the edge in front of write-side and read-api.

const ROLE_SERVICES = ['write-side', 'read-api', 'projections', 'sagas'] as const;
const APP_SERVICES = ['migrate', ...ROLE_SERVICES, 'edge'] as const;
const DATA_STORES = ['kurrentdb', 'postgres', 'redis', 'kafka'] as const;
/** Variables the application files set that the platform's config does not read (yet): the projection
 * partition lease of DESIGN.md §9, read by the projections runner. */
const EXTENSION_VARIABLES = ['PROJECTION_PARTITION_LEASE', 'PROJECTION_LEASE_TTL_SECONDS'];

/** Compose interpolation of `${NAME:-default}`, `${NAME-default}`, `${NAME}` and `$$`, with `vars` set. */
function interpolate(value: string, vars: Record<string, string> = {}): string {
  return value
    .replace(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g,
      (_m, name: string, op?: string, fallback?: string) => {
        const set = vars[name];
        if (op === ':-') return set === undefined || set === '' ? (fallback ?? '') : set;
        if (op === '-') return set === undefined ? (fallback ?? '') : set;
        return set ?? '';
      },
    )
    .replace(/\$\$/g, '$');
}

function dependsOn(s: ComposeService): Record<string, string | undefined> {
  const raw = s.depends_on ?? {};
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(raw).map(([name, d]) => [name, d?.condition]));
}

function commandOf(s: ComposeService): string[] {
  return Array.isArray(s.command)
    ? s.command
    : String(s.command ?? '')
        .split(/\s+/)
        .filter(Boolean);
}

function healthText(s: ComposeService): string {
  const test = s.healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : String(test ?? '');
}

/** The host and port a URL-ish value names (`postgres://u:p@host:5432/db`, `host:9092`). */
function hostPort(value: string): { host: string; port: number } {
  const url = new URL(value.includes('://') ? value : `tcp://${value}`);
  return { host: url.hostname, port: Number(url.port) };
}

describe('docker-compose.yml application services (profile app)', () => {
  const header = composeText.slice(0, composeText.indexOf('\nservices:'));

  it.each(APP_SERVICES)('has service %s in profile app only', (name) => {
    expect(service(name).profiles).toEqual(['app']);
  });

  it('builds every pti container from the repository Dockerfile, as one image', () => {
    const images = new Set<string>();
    for (const name of APP_SERVICES.filter((n) => n !== 'edge')) {
      const s = service(name);
      const build = typeof s.build === 'string' ? { context: s.build } : (s.build ?? {});
      expect(build.context, `${name} build.context`).toBeDefined();
      const context = path.resolve(deployDir, build.context ?? '');
      expect(context, `${name} builds from the repository root`).toBe(path.resolve(repoRoot));
      expect(existsSync(path.join(context, build.dockerfile ?? 'Dockerfile')), `${name} Dockerfile`).toBe(
        true,
      );
      images.add(String(s.image));
    }
    expect([...images]).toHaveLength(1);
  });

  it('runs one role per container, and `pti migrate` once', () => {
    for (const role of ROLE_SERVICES) expect(commandOf(service(role)), role).toEqual(['start', role]);
    expect(commandOf(service('migrate'))).toEqual(['migrate']);
    const migrate = service('migrate');
    expect(migrate.restart).toBe('no');
    expect(migrate.healthcheck?.disable).toBe(true);
    for (const role of ROLE_SERVICES) expect(service(role).restart, role).toBe('unless-stopped');
  });

  it('starts the roles after the stores are healthy and migrate exited 0', () => {
    for (const role of ROLE_SERVICES) {
      const deps = dependsOn(service(role));
      expect(deps.migrate, `${role} → migrate`).toBe('service_completed_successfully');
      for (const store of DATA_STORES) expect(deps[store], `${role} → ${store}`).toBe('service_healthy');
    }
    for (const role of ['write-side', 'read-api']) {
      expect(dependsOn(service(role)).keycloak, `${role} → keycloak`).toBe('service_healthy');
    }
    const migrate = dependsOn(service('migrate'));
    expect(migrate.postgres).toBe('service_healthy');
    expect(migrate.kurrentdb).toBe('service_healthy');
    expect(dependsOn(service('edge'))).toEqual({
      'write-side': 'service_healthy',
      'read-api': 'service_healthy',
      sagas: 'service_healthy',
    });
  });

  it('depends only on services that exist, with a condition their kind can meet', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const [target, condition] of Object.entries(dependsOn(s))) {
        expect(compose.services[target], `${name} depends on missing ${target}`).toBeDefined();
        const expected = target === 'migrate' ? 'service_completed_successfully' : 'service_healthy';
        expect(condition, `${name} → ${target}`).toBe(expected);
      }
    }
  });

  it('health-checks each role on its own /ready or /health, port 3000', () => {
    for (const role of ROLE_SERVICES) {
      expect(healthText(service(role)), role).toMatch(/http:\/\/127\.0\.0\.1:3000\/(ready|health)\b/);
      expect(healthText(service(role)), role).toMatch(/^CMD /);
    }
    expect(healthText(service('edge'))).toContain('http://127.0.0.1:8080/healthz');
  });

  it('wires every pti container to the stores by service name and container port', () => {
    const kafkaListeners = env(service('kafka')).KAFKA_ADVERTISED_LISTENERS ?? '';
    const internalKafka = /INTERNAL:\/\/([^,]+)/.exec(kafkaListeners)?.[1];
    const keycloakHost = interpolate(env(service('keycloak')).KC_HOSTNAME ?? '');
    for (const name of APP_SERVICES.filter((n) => n !== 'edge')) {
      const e = env(service(name));
      const at = (variable: string) => hostPort(interpolate(e[variable] ?? ''));
      expect(e.LEDGER, name).toBe('eventstoredb');
      expect(at('EVENTSTORE_URL'), name).toEqual({ host: 'kurrentdb', port: 2113 });
      expect(containerPorts(service('kurrentdb'))).toContain(2113);
      expect(at('DATABASE_URL'), name).toEqual({ host: 'postgres', port: 5432 });
      const db = new URL(interpolate(e.DATABASE_URL ?? ''));
      const pg = env(service('postgres'));
      expect([db.username, db.password, db.pathname.slice(1)], name).toEqual([
        pg.POSTGRES_USER,
        pg.POSTGRES_PASSWORD,
        pg.POSTGRES_DB,
      ]);
      expect(at('REDIS_URL'), name).toEqual({ host: 'redis', port: 6379 });
      expect(e.KAFKA_BROKERS, name).toBe(internalKafka);
      // Tokens carry the browser-facing issuer; keys come over the compose network.
      expect(interpolate(e.OIDC_ISSUER ?? ''), name).toBe(`${keycloakHost}/realms/pti`);
      expect(at('OIDC_JWKS_URI'), name).toEqual({ host: 'keycloak', port: 8080 });
      expect(e.HOST, `${name} listens on every interface`).toBe('0.0.0.0');
      expect(e.PORT, name).toBe('3000');
    }
  });

  it('passes the platform configuration as compose renders it (defaults and an operator key)', () => {
    const realKey = Buffer.alloc(32, 7).toString('base64');
    const scenarios: Array<Record<string, string>> = [
      {},
      { PTI_PII_MASTER_KEY: realKey, PTI_LOG_LEVEL: 'warn' },
    ];
    for (const vars of scenarios) {
      for (const name of APP_SERVICES.filter((n) => n !== 'edge')) {
        const rendered = Object.fromEntries(
          Object.entries(env(service(name))).map(([k, v]) => [k, interpolate(v, vars)]),
        );
        const config = loadConfig(rendered);
        expect(config.ledger.kind, name).toBe('eventstoredb');
        expect(config.database.kind, name).toBe('postgres');
        expect(config.cache.kind, name).toBe('redis');
        expect(config.bus.kind, name).toBe('kafka');
        expect(config.env, name).toBe('production');
        if ('PTI_PII_MASTER_KEY' in vars) expect(config.pii.masterKey, name).toBe(realKey);
        else expect(config.pii.masterKey, name).toMatch(/^[A-Za-z0-9+/]+=*$/);
      }
    }
  });

  it('sets only variables the platform reads, or the documented projection lease variables', () => {
    const known = new Set([...Object.keys(EnvSchema.properties), ...EXTENSION_VARIABLES]);
    for (const name of APP_SERVICES.filter((n) => n !== 'edge')) {
      for (const variable of Object.keys(env(service(name)))) {
        expect(known.has(variable), `${name}: ${variable}`).toBe(true);
      }
    }
    const projections = env(service('projections'));
    expect(Number(projections.PROJECTION_LEASE_TTL_SECONDS)).toBeGreaterThan(0);
    expect(projections.PROJECTION_PARTITION_LEASE).toBe('postgres');
  });

  it('marks the default PII master key as development-only, and takes the real one from PTI_PII_MASTER_KEY', () => {
    const raw = env(service('write-side')).PII_MASTER_KEY ?? '';
    expect(raw).toMatch(/^\$\{PTI_PII_MASTER_KEY:-[A-Za-z0-9+/=]+\}$/);
    const devKey = Buffer.from(interpolate(raw), 'base64').toString('latin1');
    expect(devKey).toMatch(/DEV-ONLY/);
    const line = composeText.split('\n').findIndex((l) => /^\s+PII_MASTER_KEY:/.test(l));
    expect(
      composeText
        .split('\n')
        .slice(line - 3, line)
        .join('\n'),
    ).toMatch(/DEV-ONLY/);
    expect(header).toMatch(/PTI_PII_MASTER_KEY/);
    expect(header).toMatch(/DEV-ONLY/);
  });

  it('serves the clients on port 3000 through the edge, routing by method to write-side and read-api', () => {
    const edge = service('edge');
    expect(edge.image).toMatch(/^nginxinc\/nginx-unprivileged:1\.(2[89]|[3-9]\d)/);
    expect(edge.ports).toEqual([`\${PTI_HTTP_PORT:-3000}:8080`]);
    const mount = (edge.volumes ?? []).find(
      (v) => typeof v === 'string' && v.includes(':/etc/nginx/templates/default.conf.template'),
    ) as string | undefined;
    expect(mount).toBeDefined();
    const templatePath = path.resolve(deployDir, mount?.split(':')[0] ?? '');
    expect(existsSync(templatePath)).toBe(true);
    const template = readFileSync(templatePath, 'utf8');
    const e = env(edge);
    expect(e.NGINX_ENTRYPOINT_LOCAL_RESOLVERS).toBe('1');
    expect(e.PTI_WRITE_SIDE_HOST).toBe('write-side');
    expect(e.PTI_READ_API_HOST).toBe('read-api');
    for (const variable of ['PTI_WRITE_SIDE_HOST', 'PTI_READ_API_HOST', 'NGINX_LOCAL_RESOLVERS']) {
      expect(template).toContain(`\${${variable}}`);
    }
    expect(template).toMatch(/listen 8080;/);
  });

  it('documents the app profile and the roles in the header', () => {
    expect(header).toMatch(/docker compose --profile app up/);
    for (const name of APP_SERVICES) expect(header, name).toMatch(new RegExp(`#\\s+${name}\\s`));
  });

  it('keeps ConfigError in reach for a bad operator key (the dev default is never silently replaced)', () => {
    const rendered = Object.fromEntries(
      Object.entries(env(service('sagas'))).map(([k, v]) => [
        k,
        interpolate(v, { PTI_PII_MASTER_KEY: 'short' }),
      ]),
    );
    expect(() => loadConfig(rendered)).toThrow(ConfigError);
  });
});

// ---------------------------------------------------------------------------------------------------

interface ProtocolMapper {
  name: string;
  protocolMapper: string;
  config: Record<string, string>;
}
interface RealmClient {
  clientId: string;
  publicClient?: boolean;
  bearerOnly?: boolean;
  standardFlowEnabled?: boolean;
  serviceAccountsEnabled?: boolean;
  attributes?: Record<string, string>;
  protocolMappers?: ProtocolMapper[];
}
interface RealmUser {
  username: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  enabled?: boolean;
  serviceAccountClientId?: string;
  realmRoles?: string[];
  attributes?: Record<string, string[]>;
  credentials?: Array<{ type: string; value: string; temporary?: boolean }>;
}
interface Realm {
  realm: string;
  enabled: boolean;
  roles: { realm: Array<{ name: string }> };
  clients: RealmClient[];
  users: RealmUser[];
  components?: Record<string, Array<{ providerId: string; config: Record<string, string[]> }>>;
}

const realm = JSON.parse(readFileSync(realmPath, 'utf8')) as Realm;

const ROLES = [
  'motorist',
  'client_pro',
  'call_centre',
  'operateur',
  'controleur',
  'responsable_centre',
  'admin_reseau',
  'auditor',
  'analyst',
];
const CENTRE_STAFF = ['operateur', 'controleur', 'responsable_centre'];

const demoUsers = realm.users.filter((u) => u.serviceAccountClientId === undefined);

function client(clientId: string): RealmClient {
  const c = realm.clients.find((x) => x.clientId === clientId);
  if (c === undefined) throw new Error(`realm has no client '${clientId}'`);
  return c;
}

function attributeMapper(c: RealmClient, attribute: string): ProtocolMapper | undefined {
  return c.protocolMappers?.find(
    (m) => m.protocolMapper === 'oidc-usermodel-attribute-mapper' && m.config['user.attribute'] === attribute,
  );
}

describe('keycloak/pti-realm.json', () => {
  it('is the enabled realm pti', () => {
    expect(realm.realm).toBe('pti');
    expect(realm.enabled).toBe(true);
  });

  it('has the nine realm roles', () => {
    expect(realm.roles.realm.map((r) => r.name).sort()).toEqual([...ROLES].sort());
  });

  it('has a public back-office client with PKCE', () => {
    const c = client('pti-backoffice');
    expect(c.publicClient).toBe(true);
    expect(c.standardFlowEnabled).toBe(true);
    expect(c.attributes?.['pkce.code.challenge.method']).toBe('S256');
  });

  it('has an API client that is bearer-only or confidential', () => {
    const c = client('pti-api');
    expect(c.bearerOnly === true || c.publicClient === false).toBe(true);
  });

  it.each(['tenant_id', 'centre_id'])('maps the user attribute %s into access and id tokens', (attribute) => {
    for (const c of realm.clients.filter((x) => x.clientId !== 'pti-api' || x.bearerOnly !== true)) {
      const mapper = attributeMapper(c, attribute);
      expect(mapper, `${c.clientId} mapper for ${attribute}`).toBeDefined();
      expect(mapper?.config['claim.name']).toBe(attribute);
      expect(mapper?.config['access.token.claim']).toBe('true');
      expect(mapper?.config['id.token.claim']).toBe('true');
    }
  });

  it('declares tenant_id and centre_id in the user profile, editable by admins only', () => {
    // Keycloak ≥ 24 drops user attributes its declarative user profile does not declare.
    const provider = realm.components?.['org.keycloak.userprofile.UserProfileProvider']?.[0];
    const config = JSON.parse(provider?.config['kc.user.profile.config']?.[0] ?? '{}') as {
      attributes?: Array<{ name: string; permissions?: { edit?: string[] } }>;
      unmanagedAttributePolicy?: string;
    };
    for (const name of ['tenant_id', 'centre_id']) {
      const attribute = config.attributes?.find((a) => a.name === name);
      expect(attribute, `user profile attribute ${name}`).toBeDefined();
      expect(attribute?.permissions?.edit).toEqual(['admin']);
    }
  });

  it('has one demo user per role, password demo, with a tenant_id', () => {
    for (const role of ROLES) {
      const holders = demoUsers.filter((u) => u.realmRoles?.includes(role));
      expect(
        holders.map((u) => u.username),
        `users with role ${role}`,
      ).toHaveLength(1);
    }
    expect(demoUsers).toHaveLength(ROLES.length);
    for (const u of demoUsers) {
      expect(u.enabled, u.username).toBe(true);
      expect(u.firstName, u.username).toBeTruthy();
      expect(u.lastName, u.username).toBeTruthy();
      expect(u.email, u.username).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
      expect(u.credentials, u.username).toEqual([{ type: 'password', value: 'demo', temporary: false }]);
      expect(u.attributes?.tenant_id?.[0], `${u.username} tenant_id`).toMatch(/\S/);
    }
  });

  it('attaches centre staff to a centre', () => {
    for (const u of demoUsers.filter((x) => x.realmRoles?.some((r) => CENTRE_STAFF.includes(r)))) {
      expect(u.attributes?.centre_id?.[0], `${u.username} centre_id`).toMatch(/\S/);
    }
  });
});
