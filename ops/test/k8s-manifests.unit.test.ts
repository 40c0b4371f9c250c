import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, EnvSchema, loadConfig } from '@pti/platform';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { projectionLeaseFromEnv } from '../src/start/start-settings.js';

// The kustomize manifests of ops/deploy/k8s, checked by parsing (no cluster here). When `kubectl` is on
// the PATH, the overlays are also built with `kubectl kustomize` and the rendered output checked.

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const k8sDir = path.join(repoRoot, 'ops/deploy/k8s');
const baseDir = path.join(k8sDir, 'base');
const OVERLAYS = ['dev', 'production'] as const;

const ROLES = ['write-side', 'read-api', 'projections', 'sagas'] as const;
const HTTP_ROLES = ['write-side', 'read-api'] as const;
/** Variables the manifests set that the platform's config does not read: the projection lease of
 * DESIGN.md §9, read by `projectionLeaseFromEnv` (ops/src/start/start-settings.ts). */
const EXTENSION_VARIABLES = ['PROJECTION_PARTITION_LEASE', 'PROJECTION_LEASE_TTL_SECONDS'];
const PLATFORM_VARIABLES = new Set(Object.keys(EnvSchema.properties));

// ---- loading ----------------------------------------------------------------------------------------

// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form YAML, walked with checks below
type Json = any;
interface Resource {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: Json;
}
interface Kustomization {
  namespace?: string;
  resources?: string[];
  configMapGenerator?: Array<{
    name: string;
    behavior?: string;
    envs?: string[];
    files?: string[];
    literals?: string[];
  }>;
  patches?: Array<{
    path?: string;
    patch?: string;
    target?: { group?: string; kind?: string; name?: string };
  }>;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(d.name) ? [full] : [];
  });
}

function parseDocs(text: string, where: string): Resource[] {
  return parseAllDocuments(text).flatMap((doc) => {
    expect(
      doc.errors.map((e) => e.message),
      where,
    ).toEqual([]);
    const value = doc.toJS() as Resource | null;
    return value === null ? [] : [value];
  });
}

const loadDocs = (file: string): Resource[] =>
  parseDocs(readFileSync(file, 'utf8'), path.relative(repoRoot, file));

const kustomization = (dir: string): Kustomization =>
  parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;

/** The resources a kustomization lists (recursively, through directories), before its patches. A
 * missing entry is skipped here and reported by the "lists only files that exist" test. */
function resourcesOf(dir: string): Resource[] {
  return (kustomization(dir).resources ?? []).flatMap((entry) => {
    const full = path.resolve(dir, entry);
    if (!existsSync(full)) return [];
    return statSync(full).isDirectory() ? resourcesOf(full) : loadDocs(full);
  });
}

/** `KEY=value` lines of an env file (comments and blank lines skipped). */
function envFile(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

const literals = (entries: string[] = []): Record<string, string> =>
  Object.fromEntries(entries.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

const base = resourcesOf(baseDir);
const baseKustomization = kustomization(baseDir);
const byKind = (resources: Resource[], kind: string) => resources.filter((r) => r.kind === kind);
function find(resources: Resource[], kind: string, name: string): Resource {
  const r = resources.find((x) => x.kind === kind && x.metadata.name === name);
  if (r === undefined) throw new Error(`no ${kind} ${name}`);
  return r;
}
const workloads = (resources: Resource[]) =>
  resources.filter((r) => r.kind === 'Deployment' || r.kind === 'StatefulSet');
const podSpec = (r: Resource) => r.spec.template.spec;
const containers = (r: Resource): Json[] => podSpec(r).containers;
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The base's config: config.env of the pti-config generator, and the Secret's stringData. */
const configEnv = envFile(
  path.join(
    baseDir,
    baseKustomization.configMapGenerator?.find((g) => g.name === 'pti-config')?.envs?.[0] ?? '',
  ),
);
const secret = find(base, 'Secret', 'pti-secrets');
const secretEnv = secret.stringData as Record<string, string>;
const VALID_KEY = Buffer.alloc(32, 9).toString('base64');

// ---- every file ---------------------------------------------------------------------------------------

describe('ops/deploy/k8s: every YAML file', () => {
  const files = yamlFiles(k8sDir);

  it('finds the base and both overlays', () => {
    const rel = files.map((f) => path.relative(k8sDir, f));
    expect(rel).toContain('base/kustomization.yaml');
    for (const o of OVERLAYS) expect(rel).toContain(`overlays/${o}/kustomization.yaml`);
    expect(rel.length).toBeGreaterThan(10);
  });

  it.each(files.map((f) => path.relative(k8sDir, f)))(
    '%s parses, each resource with apiVersion, kind, metadata.name',
    (rel) => {
      const docs = loadDocs(path.join(k8sDir, rel));
      expect(docs.length).toBeGreaterThan(0);
      if (path.basename(rel) === 'kustomization.yaml') {
        expect(docs).toHaveLength(1);
        expect(docs[0]).toMatchObject({
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
        });
        return;
      }
      for (const doc of docs) {
        expect(doc.apiVersion, rel).toMatch(/^([a-z0-9.-]+\/)?v\d+(beta\d+|alpha\d+)?$/);
        expect(doc.kind, rel).toMatch(/^[A-Z][A-Za-z]+$/);
        expect(doc.metadata?.name, `${rel} ${doc.kind}`).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      }
    },
  );

  it('has no resource listed twice in the base', () => {
    const ids = base.map((r) => `${r.kind}/${r.metadata.name}`);
    expect(ids.length).toBe(new Set(ids).size);
  });
});

describe('ops/deploy/k8s: kustomizations', () => {
  const dirs = [baseDir, ...OVERLAYS.map((o) => path.join(k8sDir, 'overlays', o))];

  it.each(dirs.map((d) => path.relative(k8sDir, d)))('%s lists only files that exist', (rel) => {
    const dir = path.join(k8sDir, rel);
    const k = kustomization(dir);
    for (const entry of k.resources ?? []) {
      const full = path.resolve(dir, entry);
      expect(existsSync(full), `${rel}: resource ${entry}`).toBe(true);
      if (statSync(full).isDirectory())
        expect(existsSync(path.join(full, 'kustomization.yaml')), entry).toBe(true);
    }
    for (const g of k.configMapGenerator ?? []) {
      for (const f of [...(g.envs ?? []), ...(g.files ?? []).map((x) => x.slice(x.indexOf('=') + 1))]) {
        expect(existsSync(path.resolve(dir, f)), `${rel}: ${g.name} file ${f}`).toBe(true);
      }
    }
    for (const p of k.patches ?? []) {
      if (p.path !== undefined)
        expect(existsSync(path.resolve(dir, p.path)), `${rel}: patch ${p.path}`).toBe(true);
      expect(p.path !== undefined || p.patch !== undefined, `${rel}: patch has a body`).toBe(true);
    }
  });

  it.each(dirs.map((d) => path.relative(k8sDir, d)))('%s leaves no manifest beside it unlisted', (rel) => {
    const dir = path.join(k8sDir, rel);
    const listed = new Set((kustomization(dir).resources ?? []).map((e) => path.resolve(dir, e)));
    for (const file of yamlFiles(dir).filter(
      (f) => path.dirname(f) === dir && path.basename(f) !== 'kustomization.yaml',
    )) {
      expect(listed.has(file), `${path.relative(k8sDir, file)} listed`).toBe(true);
    }
  });

  it.each(OVERLAYS)('overlay %s builds on the base', (overlay) => {
    expect(kustomization(path.join(k8sDir, 'overlays', overlay)).resources).toContain('../../base');
  });
});

// ---- the base -------------------------------------------------------------------------------------------

describe('ops/deploy/k8s/base: workloads', () => {
  it('has one workload per role (projections as a StatefulSet), plus the edge', () => {
    for (const role of ['write-side', 'read-api', 'sagas', 'edge'])
      expect(find(base, 'Deployment', role)).toBeDefined();
    expect(find(base, 'StatefulSet', 'projections')).toBeDefined();
    expect(
      workloads(base)
        .map((w) => w.metadata.name)
        .sort(),
    ).toEqual(['edge', ...ROLES].sort());
  });

  const allWorkloads = [
    ...workloads(base).map((w) => ['base', w] as const),
    ...workloads(resourcesOf(path.join(k8sDir, 'overlays/dev'))).map((w) => ['dev', w] as const),
  ];
  it.each(allWorkloads.map(([where, w]) => [`${where} ${w.kind} ${w.metadata.name}`, w]))(
    '%s: readiness and liveness probes, CPU and memory requests and limits, selector ⊆ pod labels',
    (_label, w) => {
      expect(matches(w.spec.selector.matchLabels, w.spec.template.metadata.labels)).toBe(true);
      for (const c of containers(w)) {
        expect(c.readinessProbe, `${c.name} readinessProbe`).toBeDefined();
        expect(c.livenessProbe, `${c.name} livenessProbe`).toBeDefined();
        for (const kind of ['requests', 'limits']) {
          expect(c.resources?.[kind]?.cpu, `${c.name} ${kind}.cpu`).toBeDefined();
          expect(c.resources?.[kind]?.memory, `${c.name} ${kind}.memory`).toBeDefined();
        }
      }
    },
  );

  it.each(ROLES)('%s runs `pti start <role>` from the one image, probed on /ready and /health', (role) => {
    const w = workloads(base).find((x) => x.metadata.name === role) as Resource;
    const [c, ...others] = containers(w);
    expect(others).toEqual([]);
    expect(c.image).toBe('pti-calendar');
    expect(c.args).toEqual(['start', role]);
    expect(c.ports).toEqual([{ name: 'http', containerPort: 3000 }]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(c.startupProbe?.httpGet?.path).toBe('/health');
    expect(c.envFrom).toEqual([
      { configMapRef: { name: 'pti-config' } },
      { secretRef: { name: 'pti-secrets' } },
    ]);
  });

  it.each([...workloads(base), ...byKind(base, 'Job')].map((w) => [w.metadata.name, w]))(
    '%s runs non-root with a read-only root filesystem and writable /tmp and PTI_DATA_DIR',
    (_name, w) => {
      const spec = podSpec(w);
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      expect(spec.enableServiceLinks).toBe(false);
      const sa = find(base, 'ServiceAccount', spec.serviceAccountName);
      expect(sa).toBeDefined();
      const mountable = new Set(spec.volumes.map((v: Json) => v.name));
      for (const c of spec.containers) {
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        const mounts = c.volumeMounts.map((m: Json) => m.mountPath);
        expect(mounts).toContain('/tmp');
        if (c.image === 'pti-calendar') expect(mounts).toContain(configEnv.PTI_DATA_DIR);
        for (const m of c.volumeMounts) expect(mountable.has(m.name), m.name).toBe(true);
      }
    },
  );

  it('runs the migrate Job with `pti migrate` and the same configuration', () => {
    const job = find(base, 'Job', 'pti-migrate');
    const [c] = containers(job);
    expect(c.image).toBe('pti-calendar');
    expect(c.args).toEqual(['migrate']);
    expect(c.envFrom).toEqual([
      { configMapRef: { name: 'pti-config' } },
      { secretRef: { name: 'pti-secrets' } },
    ]);
    expect(podSpec(job).restartPolicy).toBe('Never');
    expect(c.resources.requests).toBeDefined();
    expect(c.resources.limits).toBeDefined();
  });

  it('orders the migrate Job for Argo CD after what it needs and before the roles', () => {
    const wave = (r: { metadata: { annotations?: Record<string, string> } }) =>
      Number(r.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
    const job = find(base, 'Job', 'pti-migrate');
    expect(wave(job)).toBe(-1);
    expect(job.metadata.annotations?.['argocd.argoproj.io/sync-options']).toBe('Force=true,Replace=true');
    const generated = (baseKustomization as { generatorOptions?: { annotations?: Record<string, string> } })
      .generatorOptions;
    expect(wave({ metadata: { annotations: generated?.annotations } })).toBeLessThan(wave(job));
    for (const r of [...byKind(base, 'ServiceAccount'), ...byKind(base, 'Secret')]) {
      expect(wave(r), `${r.kind} ${r.metadata.name}`).toBeLessThan(wave(job));
    }
    for (const w of workloads(base)) expect(wave(w), w.metadata.name).toBeGreaterThan(wave(job));
  });
});

describe('ops/deploy/k8s/base: services, scaling, disruption budgets, ingress', () => {
  it.each(HTTP_ROLES)('%s has a Service on its http port', (role) => {
    const svc = find(base, 'Service', role);
    const w = find(base, 'Deployment', role);
    expect(matches(svc.spec.selector, w.spec.template.metadata.labels)).toBe(true);
    const portNames = containers(w).flatMap((c) => (c.ports ?? []).map((p: Json) => p.name));
    for (const p of svc.spec.ports) expect(portNames).toContain(p.targetPort);
  });

  it('selects exactly one workload with every Service and PodDisruptionBudget', () => {
    for (const r of [...byKind(base, 'Service'), ...byKind(base, 'PodDisruptionBudget')]) {
      const selector = r.kind === 'Service' ? r.spec.selector : r.spec.selector.matchLabels;
      const selected = workloads(base).filter((w) => matches(selector, w.spec.template.metadata.labels));
      expect(
        selected.map((w) => w.metadata.name),
        `${r.kind} ${r.metadata.name}`,
      ).toHaveLength(1);
    }
  });

  it('has a PodDisruptionBudget for every workload', () => {
    for (const w of workloads(base)) {
      const pdb = byKind(base, 'PodDisruptionBudget').find((p) =>
        matches(p.spec.selector.matchLabels, w.spec.template.metadata.labels),
      );
      expect(pdb, `PDB for ${w.metadata.name}`).toBeDefined();
      expect(pdb?.apiVersion).toBe('policy/v1');
      expect(pdb?.spec.maxUnavailable ?? pdb?.spec.minAvailable).toBeDefined();
    }
  });

  it('scales write-side and read-api on CPU, from at least two replicas, targeting existing Deployments', () => {
    const hpas = byKind(base, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual([...HTTP_ROLES].sort());
    for (const h of hpas) {
      expect(h.apiVersion).toBe('autoscaling/v2');
      const ref = h.spec.scaleTargetRef;
      expect(ref).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
      expect(find(base, 'Deployment', ref.name)).toBeDefined();
      expect(h.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(h.spec.maxReplicas).toBeGreaterThan(h.spec.minReplicas);
      expect(h.spec.metrics).toContainEqual({
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: expect.any(Number) } },
      });
    }
  });

  it('routes the Ingress to the edge, which routes to the write-side and read-api Services', () => {
    const [ingress, ...more] = byKind(base, 'Ingress');
    expect(more).toEqual([]);
    const backends = ingress?.spec.rules.flatMap((r: Json) =>
      r.http.paths.map((p: Json) => p.backend.service),
    );
    expect(backends).toEqual([{ name: 'edge', port: { name: 'http' } }]);
    expect(find(base, 'Service', 'edge').spec.ports.map((p: Json) => p.name)).toContain('http');

    const edge = find(base, 'Deployment', 'edge');
    const [nginx] = containers(edge);
    const env = Object.fromEntries(nginx.env.map((e: Json) => [e.name, e.value]));
    expect(env.PTI_WRITE_SIDE_HOST).toBe('write-side.$(POD_NAMESPACE).svc.cluster.local');
    expect(env.PTI_READ_API_HOST).toBe('read-api.$(POD_NAMESPACE).svc.cluster.local');
    expect(env.PTI_SAGAS_HOST).toBe('sagas.$(POD_NAMESPACE).svc.cluster.local');
    const podNamespace = nginx.env.find((e: Json) => e.name === 'POD_NAMESPACE');
    expect(podNamespace.valueFrom.fieldRef.fieldPath).toBe('metadata.namespace');
    const templates = podSpec(edge).volumes.find((v: Json) => v.name === 'templates');
    expect(templates.configMap.name).toBe('pti-edge');
    const generator = baseKustomization.configMapGenerator?.find((g) => g.name === 'pti-edge');
    const template = readFileSync(path.join(baseDir, generator?.files?.[0] ?? ''), 'utf8');
    expect(template).toMatch(/server \$\{PTI_WRITE_SIDE_HOST\}:3000 resolve;/);
    expect(template).toMatch(/server \$\{PTI_READ_API_HOST\}:3000 resolve;/);
    expect(template).toMatch(/server \$\{PTI_SAGAS_HOST\}:3000 resolve;/);
    // The sagas' entry points reach the sagas role, whatever the method.
    for (const route of [
      'location /api/v1/payments/',
      'location /api/v1/adelsoft/',
      'location ~ ^/api/v1/manage/[^/]+/payment$',
      'location /api/v1/ops/outbox',
      'location /api/v1/ops/sagas/',
      'location /api/v1/integration/',
    ]) {
      const block = template.slice(template.indexOf(route));
      expect(template.includes(route), route).toBe(true);
      expect(block.slice(0, block.indexOf('}')), route).toContain('proxy_pass http://pti_sagas;');
    }
    expect(find(base, 'Service', 'sagas').spec.ports[0].port).toBe(3000);
    expect(template).toMatch(
      /map \$request_method \$pti_api_upstream \{\s+GET\s+pti_read_api;\s+HEAD\s+pti_read_api;\s+default\s+pti_write_side;/,
    );
    expect(find(base, 'Service', 'write-side').spec.ports[0].port).toBe(3000);
    expect(find(base, 'Service', 'read-api').spec.ports[0].port).toBe(3000);
    expect(nginx.ports[0].containerPort).toBe(8080);
    expect(template).toMatch(/listen 8080;/);
  });
});

describe('ops/deploy/k8s/base: configuration and secrets', () => {
  it('puts non-secret variables in the ConfigMap and secrets in the Secret, never both', () => {
    for (const key of Object.keys(configEnv)) {
      expect(PLATFORM_VARIABLES.has(key) || EXTENSION_VARIABLES.includes(key), `config ${key}`).toBe(true);
    }
    for (const key of Object.keys(secretEnv)) expect(PLATFORM_VARIABLES.has(key), `secret ${key}`).toBe(true);
    expect(Object.keys(secretEnv).sort()).toEqual([
      'DATABASE_URL',
      'EVENTSTORE_URL',
      'PII_MASTER_KEY',
      'PTI_CUSTOMER_ID_SECRET',
      'PTI_MANAGE_TOKEN_SECRETS',
      'REDIS_URL',
    ]);
    expect(Object.keys(configEnv).filter((k) => k in secretEnv)).toEqual([]);
    for (const key of [
      'DATABASE_URL',
      'PII_MASTER_KEY',
      'EVENTSTORE_URL',
      'REDIS_URL',
      'PTI_MANAGE_TOKEN_SECRETS',
      'PTI_CUSTOMER_ID_SECRET',
    ]) {
      expect(configEnv[key], `${key} stays out of the ConfigMap`).toBeUndefined();
    }
  });

  it('holds placeholders that fail fast: the roles refuse to start on the placeholder key', () => {
    expect(secret.metadata.annotations?.['pti-calendar.example/placeholder']).toBe('true');
    for (const value of Object.values(secretEnv)) expect(value).toContain('CHANGE_ME');
    let error: unknown;
    try {
      loadConfig({ ...configEnv, ...secretEnv });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    // Every placeholder secret is refused, each named: the master key and the write side's two.
    const issues = (error as ConfigError).issues;
    expect(issues).toHaveLength(3);
    expect(issues.map((issue) => issue.split(':')[0]).sort()).toEqual([
      'PII_MASTER_KEY',
      'PTI_CUSTOMER_ID_SECRET',
      'PTI_MANAGE_TOKEN_SECRETS',
    ]);
  });

  it('describes the external stores in the shape the platform accepts', () => {
    const config = loadConfig({
      ...configEnv,
      ...secretEnv,
      PII_MASTER_KEY: VALID_KEY,
      PTI_MANAGE_TOKEN_SECRETS: VALID_KEY,
      PTI_CUSTOMER_ID_SECRET: VALID_KEY,
    });
    expect(config.ledger).toMatchObject({ kind: 'eventstoredb' });
    expect(config.database.kind).toBe('postgres');
    expect(config.cache.kind).toBe('redis');
    expect(config.bus).toMatchObject({ kind: 'kafka' });
    expect(config.bus.kind === 'kafka' ? config.bus.brokers : []).toHaveLength(3);
    expect(config.env).toBe('production');
    expect(config.http).toEqual({ host: '0.0.0.0', port: 3000 });
  });

  it('configures the projection partition lease in PostgreSQL, owned by the pod name', () => {
    expect(configEnv.PROJECTION_PARTITION_LEASE).toBe('postgres');
    // What the projections process reads from it (the lease option of the runner).
    expect(projectionLeaseFromEnv({ ...configEnv, PROJECTION_INSTANCE_ID: 'projections-0' })).toEqual({
      owner: 'projections-0',
      ttlMs: Number(configEnv.PROJECTION_LEASE_TTL_SECONDS) * 1_000,
    });
    expect(Number(configEnv.PROJECTION_LEASE_TTL_SECONDS)).toBeGreaterThan(0);
    const sts = find(base, 'StatefulSet', 'projections');
    const headless = find(base, 'Service', sts.spec.serviceName);
    expect(headless.spec.clusterIP).toBe('None');
    const [c] = containers(sts);
    const instance = c.env.find((e: Json) => e.name === 'PROJECTION_INSTANCE_ID');
    expect(instance.valueFrom.fieldRef.fieldPath).toBe('metadata.name');
    expect(sts.spec.replicas).toBeGreaterThanOrEqual(2);
  });

  it('gives the projections a ServiceAccount bound to the lease Role, and no token to the others', () => {
    const sts = find(base, 'StatefulSet', 'projections');
    expect(podSpec(sts).serviceAccountName).toBe('pti-projections');
    const binding = find(base, 'RoleBinding', 'pti-projections-lease');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'pti-projections-lease',
    });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'pti-projections' }]);
    const role = find(base, 'Role', 'pti-projections-lease');
    for (const rule of role.rules)
      expect(rule.verbs.every((v: string) => ['get', 'list', 'watch'].includes(v))).toBe(true);
    expect(role.rules).toContainEqual(
      expect.objectContaining({
        apiGroups: ['apps'],
        resources: ['statefulsets'],
        resourceNames: [sts.metadata.name],
      }),
    );
    for (const w of [...workloads(base), ...byKind(base, 'Job')].filter(
      (x) => x.metadata.name !== 'projections',
    )) {
      expect(podSpec(w).automountServiceAccountToken, w.metadata.name).toBe(false);
    }
  });
});

describe('ops/deploy/k8s/README.md', () => {
  const readme = readFileSync(path.join(k8sDir, 'README.md'), 'utf8');

  it('explains the topology of DESIGN.md §9 and where the external stores are configured', () => {
    for (const term of [
      'three-node',
      'KurrentDB',
      'Kafka',
      'replicas',
      'Redis',
      'PostgreSQL',
      'PROJECTION_PARTITION_LEASE',
    ]) {
      expect(readme, term).toContain(term);
    }
    for (const variable of [...Object.keys(secretEnv), 'LEDGER', 'KAFKA_BROKERS', 'OIDC_ISSUER']) {
      expect(readme, variable).toContain(`\`${variable}\``);
    }
  });

  it('tells operators to use a secret manager', () => {
    expect(readme).toMatch(/secret manager/i);
    expect(readme).toMatch(/placeholder/i);
  });
});

// ---- overlays -----------------------------------------------------------------------------------------

/** Whether a kustomize patch target (regular expressions, anchored) selects `r`. */
function targets(target: { group?: string; kind?: string; name?: string }, r: Resource): boolean {
  const re = (pattern: string | undefined, value: string) =>
    pattern === undefined || new RegExp(`^(?:${pattern})$`).test(value);
  const group = r.apiVersion.includes('/') ? r.apiVersion.split('/')[0] : '';
  return re(target.group, group ?? '') && re(target.kind, r.kind) && re(target.name, r.metadata.name);
}

function pointer(doc: Json, jsonPath: string): { found: boolean } {
  let at = doc;
  for (const raw of jsonPath.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (at === null || typeof at !== 'object' || !(key in at)) return { found: false };
    at = at[key];
  }
  return { found: true };
}

describe.each(OVERLAYS)('ops/deploy/k8s/overlays/%s', (overlay) => {
  const dir = path.join(k8sDir, 'overlays', overlay);
  const k = kustomization(dir);
  const own = (k.resources ?? [])
    .filter((e) => !e.startsWith('..'))
    .flatMap((e) => loadDocs(path.join(dir, e)));

  it('sets a namespace and creates it', () => {
    expect(k.namespace).toMatch(/^pti(-[a-z]+)?$/);
    expect(own.filter((r) => r.kind === 'Namespace').map((r) => r.metadata.name)).toEqual([k.namespace]);
  });

  it('sets the image of every role', () => {
    const image = k.images?.find((i) => i.name === 'pti-calendar');
    expect(image?.newTag).toMatch(/\S/);
    expect(image?.newTag).not.toBe('latest');
  });

  it('merges only known variables into pti-config', () => {
    for (const g of k.configMapGenerator ?? []) {
      expect(g).toMatchObject({ name: 'pti-config', behavior: 'merge' });
      for (const key of Object.keys(literals(g.literals))) {
        expect(key in configEnv, `${key} exists in the base config`).toBe(true);
      }
    }
  });

  it('patches only resources of the base, at paths that exist', () => {
    for (const p of k.patches ?? []) {
      const body = p.patch ?? readFileSync(path.join(dir, p.path ?? ''), 'utf8');
      const doc = parse(body) as Json;
      if (Array.isArray(doc)) {
        // JSON 6902: needs a target selecting at least one base resource; `replace` needs the path.
        expect(p.target, 'a JSON patch names its target').toBeDefined();
        const selected = base.filter((r) => targets(p.target ?? {}, r));
        expect(selected.length, JSON.stringify(p.target)).toBeGreaterThan(0);
        for (const op of doc) {
          expect(['add', 'replace', 'remove']).toContain(op.op);
          if (op.op !== 'add')
            for (const r of selected)
              expect(pointer(r, op.path).found, `${r.metadata.name} ${op.path}`).toBe(true);
        }
      } else {
        expect(find(base, doc.kind, doc.metadata.name), `${doc.kind} ${doc.metadata.name}`).toBeDefined();
      }
    }
  });

  it('keeps HPA minimums consistent with their maximums', () => {
    const jsonPatches = (k.patches ?? []).filter((p) => p.target?.kind === 'HorizontalPodAutoscaler');
    for (const p of jsonPatches) {
      const ops = parse(p.patch ?? '') as Array<{ path: string; value: number }>;
      const min = ops.find((o) => o.path === '/spec/minReplicas')?.value;
      const max = ops.find((o) => o.path === '/spec/maxReplicas')?.value;
      if (min !== undefined && max !== undefined) expect(max).toBeGreaterThanOrEqual(min);
      if (overlay === 'production' && min !== undefined) expect(min).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('ops/deploy/k8s/overlays: secrets per environment', () => {
  it('production removes the placeholder Secret and carries no secret value', () => {
    const k = kustomization(path.join(k8sDir, 'overlays/production'));
    const deletions = (k.patches ?? [])
      .map((p) => parse(p.patch ?? '') as Json)
      .filter((d) => d && !Array.isArray(d) && d.$patch === 'delete');
    expect(deletions).toEqual([
      { $patch: 'delete', apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pti-secrets' } },
    ]);
    const text = readFileSync(path.join(k8sDir, 'overlays/production/kustomization.yaml'), 'utf8');
    expect(text).not.toMatch(/stringData|secretGenerator/);
    expect(k.images?.find((i) => i.name === 'pti-calendar')?.newName).toMatch(/\//);
  });

  it('dev points at its own single-node stores with values the platform accepts', () => {
    const dir = path.join(k8sDir, 'overlays/dev');
    const k = kustomization(dir);
    const secretPatch = (k.patches ?? [])
      .map((p) => parse(p.patch ?? '') as Json)
      .find((d) => d && !Array.isArray(d) && d.kind === 'Secret');
    const devSecret = secretPatch.stringData as Record<string, string>;
    const devConfig = { ...configEnv, ...literals(k.configMapGenerator?.[0]?.literals) };
    const config = loadConfig({ ...devConfig, ...devSecret });
    expect(config.ledger.kind).toBe('eventstoredb');
    expect(config.auth.oidcIssuer).toBeNull();
    const infra = resourcesOf(dir).filter(
      (r) => r.metadata.labels?.['app.kubernetes.io/component'] === 'dev-infra',
    );
    const services = byKind(infra, 'Service').map((s) => `${s.metadata.name}:${s.spec.ports[0].port}`);
    expect(services.sort()).toEqual(['kafka:9092', 'kurrentdb:2113', 'postgres:5432', 'redis:6379']);
    for (const url of [
      devSecret.DATABASE_URL,
      devSecret.EVENTSTORE_URL,
      devSecret.REDIS_URL,
      `tcp://${devConfig.KAFKA_BROKERS}`,
    ]) {
      const u = new URL(url ?? '');
      expect(services, url).toContain(`${u.hostname}:${u.port}`);
    }
    for (const w of workloads(infra)) expect(podSpec(w).enableServiceLinks, w.metadata.name).toBe(false);
  });
});

// ---- kustomize build, where kubectl is installed ----------------------------------------------------

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
if (!kubectl) console.log('kubectl not found: `kubectl kustomize` builds of ops/deploy/k8s are not checked');

describe.skipIf(!kubectl)('kubectl kustomize', () => {
  function build(rel: string): Resource[] {
    const result = spawnSync('kubectl', ['kustomize', path.join(k8sDir, rel)], { encoding: 'utf8' });
    expect(result.stderr, rel).toBe('');
    expect(result.status, rel).toBe(0);
    return parseDocs(result.stdout, rel);
  }

  it.each(['base', ...OVERLAYS.map((o) => `overlays/${o}`)])('builds %s, every reference resolved', (rel) => {
    const rendered = build(rel);
    const configMaps = new Set(byKind(rendered, 'ConfigMap').map((c) => c.metadata.name));
    const secrets = new Set(byKind(rendered, 'Secret').map((c) => c.metadata.name));
    for (const w of [...workloads(rendered), ...byKind(rendered, 'Job')]) {
      for (const c of containers(w)) {
        for (const from of c.envFrom ?? []) {
          if (from.configMapRef)
            expect(configMaps.has(from.configMapRef.name), from.configMapRef.name).toBe(true);
          // Production's Secret comes from the secret manager.
          if (from.secretRef && rel !== 'overlays/production')
            expect(secrets.has(from.secretRef.name)).toBe(true);
        }
      }
      for (const v of podSpec(w).volumes ?? []) {
        if (v.configMap) expect(configMaps.has(v.configMap.name), v.configMap.name).toBe(true);
      }
    }
  });

  it.each(OVERLAYS)('overlay %s: namespace, image and secret as intended', (overlay) => {
    const rel = `overlays/${overlay}`;
    const k = kustomization(path.join(k8sDir, rel));
    const rendered = build(rel);
    for (const r of rendered.filter((x) => x.kind !== 'Namespace')) {
      expect(r.metadata.namespace, `${r.kind} ${r.metadata.name}`).toBe(k.namespace);
    }
    const image = k.images?.find((i) => i.name === 'pti-calendar');
    const ptiImages = [...workloads(rendered), ...byKind(rendered, 'Job')]
      .flatMap((w) => containers(w).map((c) => c.image as string))
      .filter((i) => i.includes('pti-calendar'));
    expect(new Set(ptiImages)).toEqual(new Set([`${image?.newName ?? 'pti-calendar'}:${image?.newTag}`]));
    expect(byKind(rendered, 'Secret').length).toBe(overlay === 'production' ? 0 : 1);
    const binding = find(rendered, 'RoleBinding', 'pti-projections-lease');
    expect(binding.subjects[0].namespace).toBe(k.namespace);
  });
});
