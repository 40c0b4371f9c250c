import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventSamples } from '@pti/events';
import { createPgliteLedger } from '@pti/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayCommand } from '../src/commands/replay-command.js';

describe('pti replay', () => {
  let dir: string;
  const saved = { ...process.env };
  const bookingId = eventSamples.BookingPlaced.bookingId;
  const stream = `booking-${bookingId}`;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pti-replay-'));
    process.env = { ...saved, PTI_DATA_DIR: dir, LOG_LEVEL: 'warn' };
    delete process.env.DATABASE_URL;
    const ledger = createPgliteLedger({ dataDir: join(dir, 'pglite') });
    await ledger.migrate();
    const meta = (occurredAt: string, schemaVersion: number) => ({
      tenantId: 't1',
      actor: { id: 'agent', role: 'call_centre' as const },
      correlationId: 'c',
      causationId: null,
      occurredAt,
      schemaVersion,
    });
    await ledger.append(
      stream,
      [
        {
          id: crypto.randomUUID(),
          type: 'BookingPlaced',
          data: eventSamples.BookingPlaced,
          metadata: meta('2025-03-10T08:00:00.000Z', 2),
        },
        {
          id: crypto.randomUUID(),
          type: 'BookingConfirmed',
          data: eventSamples.BookingConfirmed,
          metadata: meta('2025-03-10T08:05:00.000Z', 1),
        },
      ],
      'no_stream',
    );
    await ledger.close();
  });
  afterAll(async () => {
    process.env = saved;
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the state between two events, and the later state after the second', async () => {
    const before: string[] = [];
    expect(await replayCommand(stream, { until: '2025-03-10T08:02:00Z' }, (l) => before.push(l))).toBe(0);
    const early = JSON.parse(before.join('\n')) as {
      revision: string;
      replayed: { state: { status: string } };
    };
    expect(early.revision).toBe('1');
    expect(early.replayed.state.status).toBe('placed');
    const after: string[] = [];
    expect(await replayCommand(stream, { until: '2025-03-11T00:00:00Z' }, (l) => after.push(l))).toBe(0);
    expect(
      (JSON.parse(after.join('\n')) as { replayed: { state: { status: string } } }).replayed.state.status,
    ).toBe('confirmed');
  });

  it('exits 1 before the first event and on a bad instant', async () => {
    const lines: string[] = [];
    expect(await replayCommand(stream, { until: '2025-01-01T00:00:00Z' }, (l) => lines.push(l))).toBe(1);
    expect(await replayCommand(stream, { until: 'yesterday' }, (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toContain('not an instant');
  });
});
