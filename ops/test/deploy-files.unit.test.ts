import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const deployDir = path.join(repoRoot, 'ops/deploy');
const composePath = path.join(deployDir, 'docker-compose.yml');
const realmPath = path.join(deployDir, 'keycloak/pti-realm.json');

interface ComposeService {
  image?: string;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | { target: number }>;
  volumes?: Array<string | { source?: string; target: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: unknown;
}
interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  include?: Array<string | { path: string | string[] }>;
}

const composeText = readFileSync(composePath, 'utf8');
const compose = parse(composeText) as ComposeFile;

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

  it('has a healthcheck on every service, and no application container yet', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      expect(s.healthcheck?.test, `${name} healthcheck`).toBeDefined();
      expect(s.image, `${name} image`).toBeDefined();
    }
    expect(Object.keys(compose.services).sort()).toEqual(Object.keys(REQUIRED_SERVICES).sort());
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
