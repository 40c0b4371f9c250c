import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import type { Principal, Role } from '../api/types.js';
import { SessionProvider } from '../auth/session.js';

/**
 * A fake server for component tests: answers `fetch` from a table of routes and records every
 * call, so a test can check what the page sent (method, path, body, headers).
 */

export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly headers: Record<string, string>;
}

export type Handler = (call: RecordedCall) => { status?: number; json?: unknown; text?: string } | undefined;

export function fakeServer(routes: Record<string, Handler | object>) {
  const calls: RecordedCall[] = [];
  // Both call styles: (url, init) from the thin client, a Request from the generated client.
  const fetch = async (input: string | Request, init: RequestInit = {}): Promise<Response> => {
    const request = typeof input === 'string' ? new Request(new URL(input, BASE_URL), init) : input;
    const url = new URL(request.url);
    const method = request.method;
    const text = await request.text();
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const call: RecordedCall = {
      method,
      path: url.pathname,
      query: url.searchParams,
      body: text === '' ? undefined : JSON.parse(text),
      headers,
    };
    calls.push(call);
    for (const [pattern, handler] of Object.entries(routes)) {
      const [m, p] = pattern.split(' ') as [string, string];
      if (m !== method || !new RegExp(`^${p}$`).test(url.pathname)) continue;
      const answer = typeof handler === 'function' ? (handler as Handler)(call) : { json: handler };
      if (answer === undefined) continue;
      const status = answer.status ?? 200;
      if (answer.text !== undefined) return new Response(answer.text, { status });
      return new Response(JSON.stringify(answer.json ?? {}), {
        status,
        headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' },
      });
    }
    return new Response(JSON.stringify({ title: 'Not Found', status: 404, code: 'not_found' }), {
      status: 404,
      headers: { 'content-type': 'application/problem+json' },
    });
  };
  return {
    fetch,
    calls,
    callsTo: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path),
  };
}

/** Origin of the fake server (the generated client needs absolute URLs outside a browser). */
export const BASE_URL = 'http://test.local';

export const CENTRE = '22222222-2222-4222-8222-222222222201';

export function principal(role: Role, centreIds: string[] = [CENTRE]): Principal {
  return {
    subject: `user-${role}`,
    role,
    tenantId: 'tenant-a',
    centreIds,
    displayName: `Agent ${role}`,
  };
}

export function renderWithSession(
  ui: ReactElement,
  options: { role: Role; centreIds?: string[]; fetch: ReturnType<typeof fakeServer>['fetch'] },
) {
  const session = {
    token: 'test-token',
    principal: principal(options.role, options.centreIds),
    expiresAt: Date.now() + 3_600_000,
  };
  return render(
    <SessionProvider fetch={options.fetch} baseUrl={BASE_URL} initialSession={session}>
      {ui}
    </SessionProvider>,
  );
}
