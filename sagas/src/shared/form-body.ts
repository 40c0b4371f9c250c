import type { FastifyInstance } from 'fastify';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/**
 * Parses `application/x-www-form-urlencoded` bodies into a flat record of strings (a repeated field
 * keeps its last value), unless the application already parses forms. Providers post their
 * notifications as forms; the exact decoded strings are what their signatures cover.
 */
export function acceptFormBodies(app: FastifyInstance): void {
  if (app.hasContentTypeParser(FORM_CONTENT_TYPE)) return;
  app.addContentTypeParser(FORM_CONTENT_TYPE, { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
}

/** Posts a form and returns the response. */
export function postForm(
  doFetch: typeof fetch,
  url: string,
  fields: Readonly<Record<string, string>>,
  timeoutMs = 10_000,
): Promise<Response> {
  return doFetch(url, {
    method: 'POST',
    headers: { 'content-type': FORM_CONTENT_TYPE },
    body: new URLSearchParams({ ...fields }).toString(),
    signal: AbortSignal.timeout(timeoutMs),
  });
}

/** Reads a body that should be a flat record of strings (a parsed form, or JSON of strings). */
export function stringFields(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return out;
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
  }
  return out;
}
