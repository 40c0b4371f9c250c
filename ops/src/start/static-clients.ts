import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The front ends in embedded mode: the motorists' PWA (`clients/booking/dist`) at `/` and the back
 * office (`clients/backoffice/dist`) at `/backoffice/`, each a single-page app:
 *
 * - files of `dist/` as they are; hashed assets (`/assets/…`) cached for a year, everything else
 *   (index.html, the service worker, the manifest) revalidated on every load;
 * - any other GET that asks for HTML and is not an API, docs, simulator or operations path gets the
 *   app's `index.html` (the client router takes it from there);
 * - everything else falls through to the server's not-found handler (problem+json).
 *
 * {@link ensureClientsBuilt} builds a client first when its `dist/` is missing or older than its
 * sources, printing the build's progress.
 */

export interface StaticClient {
  /** URL prefix, `/` or `/backoffice/`. */
  readonly prefix: string;
  /** The package folder (`clients/booking`). */
  readonly dir: string;
}

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const DEFAULT_CLIENTS: readonly StaticClient[] = [
  { prefix: '/', dir: path.join(REPO_ROOT, 'clients/booking') },
  { prefix: '/backoffice/', dir: path.join(REPO_ROOT, 'clients/backoffice') },
];

/** Paths that belong to the server, never to a client's router. */
const SERVER_PATHS = /^\/(?:api|docs|simulators|health|ready|metrics)(?:\/|$)/;

const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface StaticClientsOptions {
  readonly clients?: readonly StaticClient[];
  /**
   * Build stale clients before serving them ({@link ensureClientsBuilt}). Default: on, except inside
   * a test runner (`VITEST`) or with `PTI_BUILD_CLIENTS=0`, so server tests never start a Vite build.
   */
  readonly build?: boolean;
}

const distOf = (client: StaticClient) => path.join(client.dir, 'dist');
const hasApp = (client: StaticClient) => existsSync(path.join(distOf(client), 'index.html'));

function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept === '' || accept.includes('text/html') || accept.includes('*/*');
}

/** The Fastify plugin; register it at the root, after the API routes. */
export async function staticClients(app: FastifyInstance, options: StaticClientsOptions = {}): Promise<void> {
  const build = options.build ?? (process.env.VITEST === undefined && process.env.PTI_BUILD_CLIENTS !== '0');
  if (build) {
    await ensureClientsBuilt(
      { info: (message) => console.log(message), warn: (message) => console.warn(message) },
      options.clients ?? DEFAULT_CLIENTS,
    );
  }
  const clients = (options.clients ?? DEFAULT_CLIENTS).filter(hasApp);
  // Longest prefix first: `/backoffice/x` must not be answered by the app at `/`.
  const ordered = [...clients].sort((a, b) => b.prefix.length - a.prefix.length);
  const shells = new Map(
    ordered.map((client) => [client, readFileSync(path.join(distOf(client), 'index.html'))]),
  );

  for (const client of clients) {
    precompress(distOf(client));
    await app.register(fastifyStatic, {
      root: distOf(client),
      prefix: client.prefix,
      // Serves `x.js.br` / `x.js.gz` (written by `precompress`) to clients that accept them: the
      // booking app's JavaScript is ~3× smaller on the wire, without compressing per request.
      preCompressed: true,
      // One route per file present now (the build ran before); unknown paths reach the fallback.
      wildcard: false,
      index: false,
      // Swagger UI registers @fastify/static too: one `sendFile` decorator is enough (none is used here).
      decorateReply: false,
      cacheControl: false,
      setHeaders: (res, filePath) => {
        const relative = path.relative(distOf(client), filePath).split(path.sep).join('/');
        res.header('cache-control', relative.startsWith('assets/') ? IMMUTABLE : 'no-cache');
        if (relative === 'sw.js') res.header('service-worker-allowed', client.prefix);
      },
    });
  }

  const sendShell = (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.url.split('?')[0] ?? '/';
    if (SERVER_PATHS.test(url) || !wantsHtml(request)) return reply.callNotFound();
    const client = ordered.find(
      (candidate) => url === candidate.prefix.replace(/\/$/, '') || url.startsWith(candidate.prefix),
    );
    const shell = client === undefined ? undefined : shells.get(client);
    if (shell === undefined) return reply.callNotFound();
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(shell);
  };

  if (clients.length > 0) app.get('/*', { schema: { hide: true } }, sendShell);
  if (clients.some((client) => client.prefix === '/')) app.get('/', { schema: { hide: true } }, sendShell);
  else {
    // No PWA built (and building was off or failed): a plain page says where things are.
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>PTI Calendar</title></head>
<body><h1>PTI Calendar</h1><p>Plateforme de réservation des centres de contrôle technique.</p>
<p>L’application de réservation n’est pas construite : <code>npm run build -w @pti/booking</code>.</p>
<ul><li><a href="/docs">Documentation de l’API</a></li><li><a href="/health">État du service</a></li><li><a href="/metrics">Métriques</a></li></ul></body></html>`),
    );
  }
}

const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|webmanifest|txt)$/;

/**
 * Writes a brotli and a gzip sibling of every text file of a built client (once per build: a
 * sibling newer than its file is kept), for `preCompressed` serving.
 */
export function precompress(dir: string): number {
  let written = 0;
  const visit = (target: string) => {
    for (const entry of readdirSync(target, { withFileTypes: true })) {
      const file = path.join(target, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (COMPRESSIBLE.test(entry.name) && statSync(file).size > 1024) {
        const mtime = statSync(file).mtimeMs;
        const fresh = (sibling: string) => existsSync(sibling) && statSync(sibling).mtimeMs >= mtime;
        if (fresh(`${file}.br`) && fresh(`${file}.gz`)) continue;
        const content = readFileSync(file);
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(content, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } }),
        );
        writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
        written += 1;
      }
    }
  };
  if (existsSync(dir)) visit(dir);
  return written;
}

/** The newest modification time among a client's sources (src, public, index.html, configs). */
export function newestSourceMtime(dir: string): number {
  let newest = 0;
  const visit = (target: string) => {
    if (!existsSync(target)) return;
    const stat = statSync(target);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(target)) {
        if (
          entry !== 'node_modules' &&
          entry !== 'dist' &&
          !entry.endsWith('.test.ts') &&
          !entry.endsWith('.test.tsx')
        )
          visit(path.join(target, entry));
      }
    } else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const entry of ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'])
    visit(path.join(dir, entry));
  // The typed API client is part of every front end's sources.
  visit(path.join(REPO_ROOT, 'clients/api-client/src'));
  return newest;
}

/** Whether a client needs a build: a Vite app whose `dist/index.html` is missing or older than its sources. */
export function needsBuild(client: StaticClient): boolean {
  if (!existsSync(path.join(client.dir, 'vite.config.ts'))) return false;
  const shell = path.join(distOf(client), 'index.html');
  if (!existsSync(shell)) return true;
  return statSync(shell).mtimeMs < newestSourceMtime(client.dir);
}

export interface BuildLog {
  info(message: string): void;
  warn(message: string): void;
}

/** Builds each client that needs it with its own `npm run build`, one after the other, showing progress. */
export async function ensureClientsBuilt(
  log: BuildLog,
  clients: readonly StaticClient[] = DEFAULT_CLIENTS,
): Promise<void> {
  const stale = clients.filter(needsBuild);
  for (const [index, client] of stale.entries()) {
    const name = path.relative(REPO_ROOT, client.dir);
    const started = Date.now();
    log.info(
      `[${index + 1}/${stale.length}] building ${name} (its dist/ is missing or older than its sources)…`,
    );
    const code = await new Promise<number>((resolve) => {
      const child = spawn('npm', ['run', 'build', '--silent'], {
        cwd: client.dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const relay = (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n'))
          if (line.trim() !== '') log.info(`  ${name}: ${line.trimEnd()}`);
      };
      child.stdout.on('data', relay);
      child.stderr.on('data', relay);
      child.on('error', () => resolve(1));
      child.on('exit', (exitCode) => resolve(exitCode ?? 1));
    });
    if (code === 0) log.info(`built ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    else log.warn(`building ${name} failed (exit ${code}); it is served as last built, if at all`);
  }
}
