import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Stores for adapter tests. Each helper returns the URL from the environment when it is set; otherwise,
 * when a Docker engine answers, it starts a throwaway container with testcontainers (once per process,
 * stopped at exit); otherwise it prints one line saying the adapter's tests are skipped and returns
 * undefined. testcontainers is imported only when a container is actually needed.
 */
export interface TestStoreOptions {
  /** Environment to read (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Whether a Docker engine answers (default: ping the engine's socket with a short timeout). */
  dockerAnswers?: () => Promise<boolean>;
  /** Where the skip line goes (default `console.info`). */
  info?: (line: string) => void;
}

const PROBE_TIMEOUT_MS = 1_500;
const POSTGRES_IMAGE = 'postgres:15-alpine';
const EVENTSTORE_IMAGE = 'eventstore/eventstore:24.10';

interface DockerEndpoint {
  socketPath?: string;
  host?: string;
  port?: number;
}

/** Where the Docker engine should listen: DOCKER_HOST (unix:// or tcp://), else the usual sockets. */
export function dockerEndpoints(
  env: Readonly<Record<string, string | undefined>> = process.env,
): DockerEndpoint[] {
  const dockerHost = env.DOCKER_HOST?.trim();
  if (dockerHost) {
    if (dockerHost.startsWith('unix://')) return [{ socketPath: dockerHost.slice('unix://'.length) }];
    const m = /^tcp:\/\/([^:/]+)(?::(\d+))?/.exec(dockerHost);
    if (m) return [{ host: m[1]!, port: m[2] ? Number(m[2]) : 2375 }];
    return [];
  }
  const candidates = ['/var/run/docker.sock', join(homedir(), '.docker', 'run', 'docker.sock')];
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg) candidates.push(join(xdg, 'docker.sock'), join(xdg, 'podman', 'podman.sock'));
  return candidates.filter((p) => existsSync(p)).map((socketPath) => ({ socketPath }));
}

function pingEngine(endpoint: DockerEndpoint, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ ...endpoint, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

let defaultProbe: Promise<boolean> | undefined;

/** Default probe: GET /_ping on the engine endpoint(s), memoized per process. */
export function dockerEngineAnswers(): Promise<boolean> {
  defaultProbe ??= (async () => {
    for (const endpoint of dockerEndpoints()) {
      if (await pingEngine(endpoint, PROBE_TIMEOUT_MS)) return true;
    }
    return false;
  })();
  return defaultProbe;
}

interface StartedContainer {
  stop(): Promise<unknown>;
}

const started: StartedContainer[] = [];
let exitHookInstalled = false;

function stopAtExit(container: StartedContainer): void {
  started.push(container);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // testcontainers' reaper also removes them when the process dies without reaching this hook.
  process.once('beforeExit', () => {
    void Promise.allSettled(started.splice(0).map((c) => c.stop()));
  });
}

async function startPostgres(): Promise<string> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(POSTGRES_IMAGE)
    .withEnvironment({ POSTGRES_USER: 'pti', POSTGRES_PASSWORD: 'pti', POSTGRES_DB: 'pti' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .withStartupTimeout(120_000)
    .start();
  stopAtExit(container);
  return `postgres://pti:pti@${container.getHost()}:${container.getMappedPort(5432)}/pti`;
}

async function startEventStore(env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(env.EVENTSTORE_TEST_IMAGE ?? EVENTSTORE_IMAGE)
    .withEnvironment({
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_RUN_PROJECTIONS: 'None',
      EVENTSTORE_MEM_DB: 'true',
      EVENTSTORE_CLUSTER_SIZE: '1',
    })
    .withExposedPorts(2113)
    .withWaitStrategy(
      Wait.forHttp('/health/live', 2113).forStatusCodeMatching((code) => code >= 200 && code < 300),
    )
    .withStartupTimeout(120_000)
    .start();
  stopAtExit(container);
  return `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
}

const containers = new Map<string, Promise<string | undefined>>();

async function urlForTests(
  variable: string,
  adapter: string,
  consequence: string,
  start: () => Promise<string>,
  options: TestStoreOptions,
): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const info = options.info ?? ((line: string) => console.info(line));
  const fromEnv = env[variable]?.trim();
  if (fromEnv) return fromEnv;
  const answers = await (options.dockerAnswers ?? dockerEngineAnswers)().catch(() => false);
  if (!answers) {
    info(`[test stores] ${variable} unset and no Docker engine answered — ${consequence}`);
    return undefined;
  }
  let pending = containers.get(variable);
  if (!pending) {
    pending = start().catch((err: unknown) => {
      info(
        `[test stores] ${variable} unset and starting the ${adapter} container failed (${err instanceof Error ? err.message : String(err)}) — ${consequence}`,
      );
      return undefined;
    });
    containers.set(variable, pending);
  }
  return pending;
}

/** DATABASE_URL, else a `postgres:15-alpine` container when Docker answers, else undefined. */
export async function postgresUrlForTests(options: TestStoreOptions = {}): Promise<string | undefined> {
  return urlForTests(
    'DATABASE_URL',
    'PostgreSQL',
    'PostgreSQL adapter tests skipped (PGlite runs the same SQL)',
    startPostgres,
    options,
  );
}

/** EVENTSTORE_URL, else an EventStoreDB container (insecure, in-memory) when Docker answers, else undefined. */
export async function eventStoreUrlForTests(options: TestStoreOptions = {}): Promise<string | undefined> {
  return urlForTests(
    'EVENTSTORE_URL',
    'EventStoreDB',
    'EventStoreDB adapter tests skipped',
    () => startEventStore(options.env ?? process.env),
    options,
  );
}
