import { openPglite, pgliteExecutor, pgliteTransactionRunner, runMigrations } from '@pti/platform';
import { describe, expect, it } from 'vitest';
import {
  createSqlIdempotencyStore,
  idempotencyMigration,
  idempotentEventId,
  requestHash,
} from './idempotency-store.js';

async function store(staleAfterSeconds = 30) {
  const pglite = await openPglite('memory://');
  await runMigrations(pgliteTransactionRunner(pglite), 'pti', 'idempotency', idempotencyMigration('pti'));
  return createSqlIdempotencyStore(pgliteExecutor(pglite), 'pti', { staleAfterSeconds });
}

describe('idempotency store', () => {
  it('runs the first request, replays the stored answer, refuses another body under the same key', async () => {
    const s = await store();
    const h = requestHash('POST', '/api/v1/bookings', { a: 1 });
    expect(await s.begin('t1', 'k1', h)).toEqual({ outcome: 'proceed' });
    expect(await s.begin('t1', 'k1', h)).toEqual({ outcome: 'in_progress' });
    await s.complete('t1', 'k1', 201, { bookingId: 'b1' });
    expect(await s.begin('t1', 'k1', h)).toEqual({
      outcome: 'replay',
      status: 201,
      body: { bookingId: 'b1' },
    });
    expect(await s.begin('t1', 'k1', requestHash('POST', '/api/v1/bookings', { a: 2 }))).toEqual({
      outcome: 'mismatch',
    });
    // Keys are per tenant.
    expect(await s.begin('t2', 'k1', h)).toEqual({ outcome: 'proceed' });
  });

  it('lets a client retry after an abandoned request, and takes over a stale one', async () => {
    const s = await store(0);
    const h = requestHash('POST', '/x', {});
    expect(await s.begin('t1', 'k2', h)).toEqual({ outcome: 'proceed' });
    await s.abandon('t1', 'k2');
    expect(await s.begin('t1', 'k2', h)).toEqual({ outcome: 'proceed' });
    await new Promise((r) => setTimeout(r, 20));
    // staleAfterSeconds = 0: the in-progress row is considered dead and taken over.
    expect(await s.begin('t1', 'k2', h)).toEqual({ outcome: 'proceed' });
  });

  it('derives stable, distinct, uuid-shaped event ids', () => {
    const a = idempotentEventId('t1', 'k', 'booking-1', 0);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(idempotentEventId('t1', 'k', 'booking-1', 0)).toBe(a);
    expect(idempotentEventId('t1', 'k', 'booking-1', 1)).not.toBe(a);
    expect(idempotentEventId('t2', 'k', 'booking-1', 0)).not.toBe(a);
  });
});
