import { describe, expect, it } from 'vitest';
import { asProblem, createPtiApi } from '../src/index.js';

describe('createPtiApi', () => {
  it('sends typed requests to the documented paths and returns typed bodies', async () => {
    const seen: string[] = [];
    const fetchStub = async (input: Request) => {
      seen.push(`${input.method} ${new URL(input.url).pathname}${new URL(input.url).search}`);
      return new Response(
        JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, code: 'NOT_FOUND' }),
        {
          status: 404,
          headers: { 'content-type': 'application/problem+json' },
        },
      );
    };
    const api = createPtiApi({ baseUrl: 'http://localhost:3000', fetch: fetchStub });
    const { data, error, response } = await api.queries.GET('/api/v1/centres/{centreId}', {
      params: { path: { centreId: '00000000-0000-4000-8000-000000000001' } },
    });
    expect(data).toBeUndefined();
    expect(response.status).toBe(404);
    expect(asProblem(error)?.code).toBe('NOT_FOUND');
    await api.queries.GET('/api/v1/centres', { params: { query: { postcode: '69007' } } });
    expect(seen).toEqual([
      'GET /api/v1/centres/00000000-0000-4000-8000-000000000001',
      'GET /api/v1/centres?postcode=69007',
    ]);
  });

  it('tells a problem body from anything else', () => {
    expect(asProblem({ code: 'SLOT_TAKEN', status: 409 })?.code).toBe('SLOT_TAKEN');
    expect(asProblem('text')).toBeNull();
    expect(asProblem(null)).toBeNull();
  });
});
