import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The end-to-end harness: the whole application started as `npm start` does (`node ops/bin/pti.js
 * start`, embedded mode, PGlite in a temporary data dir, a free port), and the built back office.
 */

export const PACKAGE_DIR = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const ROOT_DIR = resolve(PACKAGE_DIR, '../..');
export const DIST_DIR = join(PACKAGE_DIR, 'dist');

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

export interface RunningPti {
  readonly url: string;
  readonly logs: () => string;
  stop(): Promise<void>;
}

/** Variables that would point the server at shared services: the e2e server stays embedded. */
const SHARED_SERVICE_VARIABLES = [
  'DATABASE_URL',
  'REDIS_URL',
  'EVENTSTORE_URL',
  'KAFKA_BROKERS',
  'OIDC_ISSUER',
];

export async function startPti(timeoutMs = 180_000): Promise<RunningPti> {
  // Iterating on the UI: point the tests at a server already running (`PTI_E2E_URL=http://…`).
  const existing = process.env.PTI_E2E_URL;
  if (existing) return { url: existing.replace(/\/+$/, ''), logs: () => '', stop: async () => undefined };
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'pti-backoffice-e2e-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    PTI_DATA_DIR: dataDir,
  };
  for (const name of SHARED_SERVICE_VARIABLES) delete env[name];
  delete env.NODE_ENV; // vitest sets `test`; the server runs as `npm start` would.
  const child: ChildProcess = spawn(process.execPath, ['ops/bin/pti.js', 'start'], {
    cwd: ROOT_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`pti start exited with ${child.exitCode}:\n${output.slice(-4000)}`);
    }
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return { url, logs: () => output, stop };
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 500));
  }
  await stop();
  throw new Error(`pti start not healthy after ${timeoutMs} ms:\n${output.slice(-4000)}`);
}

/** Builds dist/ with Vite (the package's `build` script) so the test runs what is shipped. */
export async function buildBackoffice(): Promise<void> {
  const { build } = await import('vite');
  await build({ root: PACKAGE_DIR, configFile: join(PACKAGE_DIR, 'vite.config.ts'), logLevel: 'warn' });
  if (!existsSync(join(DIST_DIR, 'index.html'))) throw new Error('vite build left no dist/index.html');
}

export interface ServedBackoffice {
  /** Origin serving `/backoffice/` and `/api/`. */
  readonly origin: string;
  /** `pti`: the server itself serves the client; `proxy`: a local static server in front of it. */
  readonly mode: 'pti' | 'proxy';
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/**
 * Where the browser goes: the pti server when it serves `/backoffice` itself (the static-clients
 * wiring of `npm start`), otherwise a small static server for dist/ (SPA fallback) that proxies
 * everything else to the pti server, same origin either way.
 */
export async function serveBackoffice(pti: RunningPti): Promise<ServedBackoffice> {
  const probe = await fetch(`${pti.url}/backoffice/`).catch(() => null);
  if (probe?.ok && (probe.headers.get('content-type') ?? '').includes('text/html')) {
    return { origin: pti.url, mode: 'pti', stop: async () => undefined };
  }
  const api = new URL(pti.url);
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    if (path === '/backoffice' || path.startsWith('/backoffice/')) {
      const relative = normalize(path.slice('/backoffice'.length)).replace(/^(\.\.[/\\])+/, '');
      let file = join(DIST_DIR, relative);
      if (!file.startsWith(DIST_DIR) || !existsSync(file) || relative === '/' || relative === '')
        file = join(DIST_DIR, 'index.html');
      try {
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(body);
      } catch {
        const body = await readFile(join(DIST_DIR, 'index.html'));
        res.writeHead(200, { 'content-type': TYPES['.html'] });
        res.end(body);
      }
      return;
    }
    const upstream = httpRequest(
      { host: api.hostname, port: api.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  const port = await freePort();
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  return {
    origin: `http://127.0.0.1:${port}`,
    mode: 'proxy',
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}
