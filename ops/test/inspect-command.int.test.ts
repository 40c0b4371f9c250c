import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgliteLedger } from '@pti/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectCommand } from '../src/commands/inspect-command.js';

describe('pti inspect', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pti-inspect-'));
    // The CLI opens the configured store: point it at a fresh embedded one holding two events.
    process.env = { ...saved, PTI_DATA_DIR: dir, LOG_LEVEL: 'warn' };
    delete process.env.DATABASE_URL;
    const ledger = createPgliteLedger({ dataDir: join(dir, 'pglite') });
    await ledger.migrate();
    const metadata = {
      tenantId: 't1',
      actor: { id: 'agent-7', role: 'call_centre' as const },
      correlationId: 'corr-42',
      causationId: null,
      occurredAt: '2026-12-01T09:00:00.000Z',
      schemaVersion: 1,
    };
    await ledger.append(
      'booking-abc',
      [
        { id: crypto.randomUUID(), type: 'BookingConfirmed', data: { bookingId: 'abc' }, metadata },
        { id: crypto.randomUUID(), type: 'BookingCheckedIn', data: { bookingId: 'abc' }, metadata },
      ],
      'no_stream',
    );
    await ledger.close();
  });
  afterAll(async () => {
    process.env = saved;
    await rm(dir, { recursive: true, force: true });
  });

  it('prints every event with revision, time, type and actor', async () => {
    const lines: string[] = [];
    expect(await inspectCommand('booking-abc', {}, (l) => lines.push(l))).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain('stream booking-abc (pglite), 2 event(s)');
    expect(text).toMatch(
      /#1 {2}2026-12-01T09:00:00.000Z {2}BookingConfirmed {2}by call_centre:agent-7 {2}corr corr-42/,
    );
    expect(text).toContain('#2');
  });

  it('prints JSON, honours --from, and exits 1 on a missing stream', async () => {
    const lines: string[] = [];
    expect(await inspectCommand('booking-abc', { json: true, from: '2' }, (l) => lines.push(l))).toBe(0);
    const parsed = JSON.parse(lines.join('\n')) as { type: string; revision: string }[];
    expect(parsed.map((e) => [e.type, e.revision])).toEqual([['BookingCheckedIn', '2']]);
    const missing: string[] = [];
    expect(await inspectCommand('booking-none', {}, (l) => missing.push(l))).toBe(1);
    expect(missing[0]).toContain('no events');
  });
});
