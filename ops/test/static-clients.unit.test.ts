import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needsBuild, precompress, type StaticClient, staticClients } from '../src/start/static-clients.js';

let root: string;
let app: FastifyInstance;
let clients: StaticClient[];

function writeApp(dir: string, title: string): void {
  mkdirSync(path.join(dir, 'dist/assets'), { recursive: true });
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'vite.config.ts'), 'export default {};\n');
  writeFileSync(path.join(dir, 'src/main.tsx'), 'export {};\n');
  writeFileSync(path.join(dir, 'dist/index.html'), `<!doctype html><title>${title}</title>`);
  writeFileSync(path.join(dir, 'dist/assets/index-abc123.js'), 'console.log(1);\n');
  writeFileSync(path.join(dir, 'dist/sw.js'), 'self.addEventListener("fetch", () => {});\n');
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'pti-static-'));
  clients = [
    { prefix: '/', dir: path.join(root, 'booking') },
    { prefix: '/backoffice/', dir: path.join(root, 'backoffice') },
  ];
  writeApp(clients[0]!.dir, 'booking');
  writeApp(clients[1]!.dir, 'backoffice');
  app = Fastify();
  app.get('/api/v1/ping', async () => ({ pong: true }));
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).type('application/problem+json').send({ code: 'not_found' }),
  );
  await staticClients(app, { clients, build: false });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  rmSync(root, { recursive: true, force: true });
});

describe('static clients', () => {
  it('serves each app shell, with the SPA fallback for client routes', async () => {
    for (const [url, title] of [
      ['/', 'booking'],
      ['/centres/abc?category=VP', 'booking'],
      ['/backoffice/', 'backoffice'],
      ['/backoffice/agenda/2026-06-01', 'backoffice'],
    ] as const) {
      const response = await app.inject({ url, headers: { accept: 'text/html' } });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toContain(`<title>${title}</title>`);
      expect(response.headers['cache-control'], url).toBe('no-cache');
    }
  });

  it('caches hashed assets for a year and revalidates the service worker', async () => {
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const backofficeAsset = await app.inject({ url: '/backoffice/assets/index-abc123.js' });
    expect(backofficeAsset.statusCode).toBe(200);
    const worker = await app.inject({ url: '/sw.js' });
    expect(worker.headers['cache-control']).toBe('no-cache');
  });

  it('leaves API paths, unknown assets and non-HTML requests to the not-found handler', async () => {
    expect((await app.inject({ url: '/api/v1/ping' })).json()).toEqual({ pong: true });
    for (const [url, accept] of [
      ['/api/v1/nope', 'text/html'],
      ['/docs/nope', 'text/html'],
      ['/centres/abc', 'application/json'],
    ] as const) {
      const response = await app.inject({ url, headers: { accept } });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type'], url).toContain('application/problem+json');
    }
  });

  it('rebuilds a client only when its dist is older than its sources', () => {
    const booking = clients[0]!;
    const old = new Date(Date.now() - 3600_000);
    utimesSync(path.join(booking.dir, 'dist/index.html'), old, old);
    expect(needsBuild(booking)).toBe(true);
    const later = new Date(Date.now() + 3600_000);
    utimesSync(path.join(booking.dir, 'dist/index.html'), later, later);
    expect(needsBuild(booking)).toBe(false);
    expect(needsBuild({ prefix: '/x/', dir: path.join(root, 'no-such-client') })).toBe(false);
  });

  it('precompresses text assets once per build and serves the brotli file to clients that accept it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pti-precompress-'));
    try {
      const script = `export const big = ${JSON.stringify('réservation '.repeat(400))};\n`;
      writeFileSync(path.join(dir, 'app.js'), script);
      writeFileSync(path.join(dir, 'tiny.js'), 'export {};\n');
      expect(precompress(dir)).toBe(1);
      expect(brotliDecompressSync(readFileSync(path.join(dir, 'app.js.br'))).toString()).toBe(script);
      expect(gunzipSync(readFileSync(path.join(dir, 'app.js.gz'))).toString()).toBe(script);
      expect(existsSync(path.join(dir, 'tiny.js.br'))).toBe(false);
      // Siblings newer than their file are kept.
      expect(precompress(dir)).toBe(0);

      const served = Fastify();
      mkdirSync(path.join(dir, 'dist/assets'), { recursive: true });
      writeFileSync(path.join(dir, 'dist/index.html'), '<!doctype html><title>x</title>');
      writeFileSync(path.join(dir, 'dist/assets/app-1.js'), script);
      await staticClients(served, { build: false, clients: [{ prefix: '/', dir }] });
      const compressed = await served.inject({
        url: '/assets/app-1.js',
        headers: { 'accept-encoding': 'br' },
      });
      expect(compressed.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(compressed.rawPayload).toString()).toBe(script);
      const plain = await served.inject({ url: '/assets/app-1.js' });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body).toBe(script);
      await served.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
