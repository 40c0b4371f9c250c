import { createServer } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TestServer {
  readonly app: FastifyInstance;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A real HTTP server on localhost: its URL is known before routes are registered, so adapters
 * (the Payzen adapter, the AdelSoft client) can be pointed at simulators mounted on it.
 */
export async function startTestServer(
  register: (app: FastifyInstance, url: string) => Promise<void>,
): Promise<TestServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const app = Fastify({ logger: false });
  await register(app, url);
  await app.listen({ port, host: '127.0.0.1' });
  return { app, url, close: () => app.close() };
}

/** The hidden inputs of an HTML form (the simulator's auto-submitted browser return). */
export function hiddenInputs(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const decode = (text: string) =>
    text
      .replaceAll('&quot;', '"')
      .replaceAll('&#39;', "'")
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&amp;', '&');
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[decode(match[1] ?? '')] = decode(match[2] ?? '');
  }
  return fields;
}
