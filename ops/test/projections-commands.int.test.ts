import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { centreStream, type EventMetadata } from '@pti/events';
import { createPgliteLedger } from '@pti/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectionsStatus, projectionsStatusCommand } from '../src/commands/projections-status-command.js';
import { rebuildCommand } from '../src/commands/rebuild-command.js';

const week = {
  monday: [{ from: '08:00', to: '12:00' }],
  tuesday: [{ from: '08:00', to: '12:00' }],
  wednesday: [],
  thursday: [],
  friday: [],
  saturday: [],
  sunday: [],
};

describe('pti rebuild and pti projections status', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pti-projections-'));
    // The CLI opens the configured stores: a fresh embedded PGlite and the in-memory cache.
    process.env = { ...saved, PTI_DATA_DIR: dir, LOG_LEVEL: 'warn' };
    delete process.env.DATABASE_URL;
    delete process.env.REDIS_URL;
    const ledger = createPgliteLedger({ dataDir: join(dir, 'pglite') });
    await ledger.migrate();
    const metadata: EventMetadata = {
      tenantId: 'tenant-a',
      actor: { id: 'admin-1', role: 'admin_reseau' },
      correlationId: 'corr-1',
      causationId: null,
      occurredAt: '2026-03-02T06:00:00.000Z',
      schemaVersion: 1,
    };
    for (const centreId of ['lyon-1', 'lyon-2']) {
      const inspectorId = `${centreId}-insp`;
      const events = [
        {
          type: 'CentreRegistered',
          data: {
            centreId,
            code: centreId.toUpperCase(),
            name: `Centre ${centreId}`,
            address: '1 rue de la Paix',
            postcode: '69007',
            city: 'Lyon',
            position: { lat: 45.74, lon: 4.84 },
            contact: { phone: '+33478601234', email: 'centre@pti-controle.fr' },
          },
        },
        { type: 'OpeningHoursSet', data: { centreId, week } },
        {
          type: 'InspectorAdded',
          data: { centreId, inspectorId, name: 'X', userId: null, accreditations: ['VL'] },
        },
        { type: 'InspectorScheduleSet', data: { centreId, inspectorId, week } },
      ];
      await ledger.append(
        centreStream(centreId),
        events.map((event) => ({ id: randomUUID(), ...event, metadata })),
        'no_stream',
      );
    }
    await ledger.close();
  });
  afterAll(async () => {
    process.env = saved;
    await rm(dir, { recursive: true, force: true });
  });

  it('reports read models not built yet, builds them all, then reports them live with no lag', {
    timeout: 120_000,
  }, async () => {
    expect((await projectionsStatus()).map((s) => [s.projector, s.state])).toEqual(
      expect.arrayContaining([
        ['centres', 'not built'],
        ['availability', 'not built'],
        ['audit', 'not built'],
      ]),
    );
    const lines: string[] = [];
    expect(await rebuildCommand('all', { progress: false }, (l) => lines.push(l))).toBe(0);
    expect(lines.find((l) => l.startsWith('centres:'))).toMatch(/^centres: v1 live \(was none\), 8 events/);
    expect(lines.find((l) => l.startsWith('audit:'))).toMatch(/^audit: v1 live \(was none\), 8 events/);
    // `all` reads the ledger once for every read model.
    expect(lines.at(-1)).toMatch(/^all: 8 ledger records read once/);

    const status = await projectionsStatus();
    for (const name of ['centres', 'availability', 'audit']) {
      expect(status.find((s) => s.projector === name)).toMatchObject({
        state: 'live',
        liveGeneration: 1,
        lag: { events: 0, seconds: 0 },
        building: null,
      });
    }
    const table: string[] = [];
    expect(await projectionsStatusCommand({}, (l) => table.push(l))).toBe(0);
    expect(table[0]).toMatch(/^projector\s+state\s+live\s+checkpoint\s+lag events\s+lag s/);
    expect(table.some((l) => /^centres\s+live\s+v1\s+\d+\/\d+\s+0\s+0\.0/.test(l))).toBe(true);
  });

  it('rebuilds one read model blue/green, keeps the old generation until --drop-old', {
    timeout: 120_000,
  }, async () => {
    const lines: string[] = [];
    expect(await rebuildCommand('centres', { progress: false }, (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/^centres: v2 live \(was v1\), 8 events/)]);
    const dropped: string[] = [];
    expect(await rebuildCommand(undefined, { dropOld: true }, (l) => dropped.push(l))).toBe(0);
    expect(dropped).toContain('centres: dropped v1');
    const usage: string[] = [];
    expect(await rebuildCommand(undefined, {}, (l) => usage.push(l))).toBe(2);
    expect(usage[0]).toContain('usage: pti rebuild');
    await expect(rebuildCommand('nope', {}, () => {})).rejects.toThrow('unknown read model');
  });
});
