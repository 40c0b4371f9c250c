import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventSamples } from '@pti/events';
import { type AppConfig, type ErasureParticipant, generateMasterKeyBase64, loadConfig } from '@pti/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGdprContext } from '../src/commands/gdpr-context.js';
import { gdprEraseCommand } from '../src/commands/gdpr-erase-command.js';
import { gdprExportCommand } from '../src/commands/gdpr-export-command.js';
import { gdprRetentionCommand } from '../src/commands/gdpr-retention-command.js';
import { gdprRotateCommand } from '../src/commands/gdpr-rotate-command.js';

/** `pti gdpr …` against an embedded (PGlite) data directory, called as functions. */
describe('pti gdpr (PGlite)', () => {
  let dir: string;
  let config: AppConfig;
  const oldCustomer = randomUUID();
  const recentCustomer = randomUUID();
  const scrubbed: string[] = [];
  const participant: ErasureParticipant = {
    name: 'customers',
    scrub: async (subjectId) => {
      scrubbed.push(subjectId);
      return 1;
    },
    export: async (subjectId) => [{ subjectId, phone: '+33600000000' }],
  };

  const book = async (customerId: string, at: string, name: string) => {
    const context = await openGdprContext(config, { clock: () => new Date(at) });
    try {
      const bookingId = randomUUID();
      await context.personalData.ledger.append(
        `booking-${bookingId}`,
        [
          {
            id: randomUUID(),
            type: 'BookingPlaced',
            data: {
              ...eventSamples.BookingPlaced,
              bookingId,
              customerId,
              customer: { ...eventSamples.BookingPlaced.customer, name },
            },
            metadata: {
              tenantId: 't1',
              actor: { id: 'web', role: 'motorist' },
              correlationId: randomUUID(),
              causationId: null,
              occurredAt: at,
              schemaVersion: 2,
            },
          },
        ],
        'no_stream',
      );
    } finally {
      await context.close();
    }
  };

  const exportOf = async (subjectId: string, cfg = config) => {
    const file = join(dir, `${subjectId}.json`);
    const lines: string[] = [];
    expect(
      await gdprExportCommand(subjectId, { out: file }, { config: cfg, participants: [participant] }, (l) =>
        lines.push(l),
      ),
    ).toBe(0);
    expect(lines.join('\n')).toContain(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    return JSON.parse(await readFile(file, 'utf8')) as {
      key: { status: string };
      events: { type: string; data: { customer?: { name: string } } }[];
      readModels: Record<string, unknown>;
    };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pti-gdpr-'));
    config = loadConfig({ PTI_DATA_DIR: dir, LOG_LEVEL: 'warn' });
    await book(oldCustomer, '2015-01-10T09:00:00.000Z', 'Ancien Client');
    await book(recentCustomer, '2024-05-02T09:00:00.000Z', 'Client Récent');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the embedded master key in the data directory, mode 0600', async () => {
    expect((await stat(join(dir, 'pii-master.key'))).mode & 0o777).toBe(0o600);
  });

  it('export writes the subject’s decrypted events and read-model rows to a 0600 file', async () => {
    const exported = await exportOf(recentCustomer);
    expect(exported.key.status).toBe('live');
    expect(exported.events.map((e) => e.type)).toEqual(['BookingPlaced']);
    expect(exported.events[0]?.data.customer?.name).toBe('Client Récent');
    expect(exported.readModels).toEqual({
      customers: [{ subjectId: recentCustomer, phone: '+33600000000' }],
    });
  });

  it('retention --dry-run lists exactly the subjects past their limits and changes nothing', async () => {
    const lines: string[] = [];
    const code = await gdprRetentionCommand(
      { dryRun: true, now: '2025-06-01T00:00:00.000Z' },
      { config },
      (l) => lines.push(l),
    );
    expect(code).toBe(0);
    expect(lines[0]).toBe(
      'retention at 2025-06-01T00:00:00.000Z (dry run): booking before 2018-06-01T00:00:00.000Z, payment before 2015-06-01T00:00:00.000Z, audit before 2022-06-01T00:00:00.000Z',
    );
    expect(lines.slice(1, -2)).toEqual([`  ${oldCustomer}  booking 2015-01-10T09:00:00.000Z`]);
    expect(lines.slice(-2)).toEqual(['1 subject(s) past retention', 'dry run: nothing changed']);
    expect((await exportOf(oldCustomer)).events[0]?.data.customer?.name).toBe('Ancien Client');
  });

  it('erase destroys the key, records it and scrubs the read models', async () => {
    const lines: string[] = [];
    const code = await gdprEraseCommand(
      recentCustomer,
      { actor: 'dpo-1' },
      { config, participants: [participant] },
      (l) => lines.push(l),
    );
    expect(code).toBe(0);
    expect(lines[0]).toBe(
      `subject ${recentCustomer}: data key (generation 1) destroyed; its personal fields now read [effacé]`,
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `recorded PersonalDataErased \\(subject_request\\) in subject-${recentCustomer} at \\d+/\\d+`,
      ),
    );
    expect(lines[2]).toBe('  read model customers: 1 row(s) scrubbed');
    expect(scrubbed).toEqual([recentCustomer]);
    const exported = await exportOf(recentCustomer);
    expect(exported.key.status).toBe('erased');
    expect(exported.events.map((e) => e.type)).toEqual(['BookingPlaced', 'PersonalDataErased']);
    expect(exported.events[0]?.data.customer?.name).toBe('[effacé]');
    await expect(gdprEraseCommand('Not An Id', {}, { config })).rejects.toThrow(/invalid subject id/);
  });

  it('retention applies with a progress line', async () => {
    const lines: string[] = [];
    const progress: string[] = [];
    const code = await gdprRetentionCommand(
      { now: '2025-06-01T00:00:00.000Z' },
      { config },
      (l) => lines.push(l),
      (l) => progress.push(l),
    );
    expect(code).toBe(0);
    expect(progress).toEqual([`  erasing 1/1 ${oldCustomer}`]);
    expect(lines.at(-1)).toBe('erased 1 subject(s)');
    expect((await exportOf(oldCustomer)).events[0]?.data.customer?.name).toBe('[effacé]');
  });

  it('rotate-master-key re-wraps the keys under a new PII_MASTER_KEY', async () => {
    const live = randomUUID();
    await book(live, '2025-01-02T09:00:00.000Z', 'Toujours Là');
    const oldKeyFile = join(dir, 'old.key');
    await writeFile(oldKeyFile, await readFile(join(dir, 'pii-master.key'), 'utf8'), { mode: 0o600 });
    const rotated = loadConfig({
      PTI_DATA_DIR: dir,
      LOG_LEVEL: 'warn',
      PII_MASTER_KEY: generateMasterKeyBase64(),
    });
    const lines: string[] = [];
    expect(
      await gdprRotateCommand({ previousKeyFile: [oldKeyFile] }, { config: rotated }, (l) => lines.push(l)),
    ).toBe(0);
    expect(lines.at(-1)).toBe('1 data key(s) re-wrapped; events untouched');
    expect((await exportOf(live, rotated)).events[0]?.data.customer?.name).toBe('Toujours Là');
  });
});
