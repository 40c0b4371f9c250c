import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../runtime/clock.js';
import { createSagaRuntime, type SagaRuntime } from '../runtime/saga-runtime.js';
import { listDeadLetters, listTimers } from '../runtime/saga-store.js';
import { createLedgerWorld, type LedgerWorld, TENANT, WORLD_START } from '../testing/ledger-world.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { closeTestStores, type TestStores, testBackends } from '../testing/test-stores.js';
import { createBrevoClient } from './brevo/brevo-client.js';
import { type NotificationChannels, OUTBOX_ONLY } from './channels.js';
import { NOTIFICATIONS_SAGA, notificationSaga, publicSiteLinks } from './notification-saga.js';
import { listOutbox, type OutboxMessage } from './outbox.js';
import { createSmsModeClient } from './smsmode/smsmode-client.js';

const CENTRE = 'lyon-gerland';
const LINKS = publicSiteLinks('https://rdv.pti.example');
const ORIGIN = {
  tenantId: TENANT,
  actor: { id: 'agent', role: 'system' as const },
  correlationId: 'c',
  causationId: null,
};

afterAll(closeTestStores);

describe.each(testBackends())('notifications on $name', (backend) => {
  let stores: TestStores;
  let world: LedgerWorld;
  let runtimes: SagaRuntime[];

  const runtimeWith = (channels: NotificationChannels = OUTBOX_ONLY) => {
    const runtime = createSagaRuntime({
      ledger: stores.ledger,
      sql: stores.sql,
      schema: stores.schema,
      sagas: [notificationSaga({ channels, links: LINKS })],
      clock: world.clock,
      maxAttempts: 3,
      backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 0 },
    });
    runtimes.push(runtime);
    return runtime;
  };
  const idle = (runtime: SagaRuntime) => runtime.runUntilIdle({ until: stores.head });
  const outbox = async (template?: string) =>
    (await listOutbox(stores.sql, stores.schema, template ? { template } : {})).sort((a, b) =>
      a.channel.localeCompare(b.channel),
    );
  const emailOf = (messages: OutboxMessage[]) => messages.find((m) => m.channel === 'email');
  const smsOf = (messages: OutboxMessage[]) => messages.find((m) => m.channel === 'sms');

  beforeEach(async () => {
    stores = await backend.open();
    world = createLedgerWorld(stores.ledger, manualClock(WORLD_START));
    runtimes = [];
    await world.registerCentre(CENTRE);
  });

  afterEach(async () => {
    for (const runtime of runtimes) await runtime.stop();
    await stores.close();
  });

  it('sends the confirmation in French, with the calendar file, by e-mail and SMS, once each', async () => {
    const runtime = runtimeWith();
    await runtime.start({ poll: false });
    const slot = await world.book({ centreId: CENTRE, start: '10:00', paymentMode: 'on_site' });
    await world.confirmOnSite(slot);
    await idle(runtime);

    const messages = await outbox();
    expect(messages.map((m) => [m.template, m.channel, m.status])).toEqual([
      ['confirmation', 'email', 'recorded'],
      ['confirmation', 'sms', 'recorded'],
    ]);
    const email = emailOf(messages);
    const reference = slot.placed?.reference ?? '';
    expect(email?.recipient).toBe('camille.martin@example.fr');
    expect(email?.subject).toBe('Rendez-vous confirmé : contrôle technique le mardi 16 juin 2026 à 10 h 00');
    expect(email?.body).toContain('Bonjour Camille Martin,');
    expect(email?.body).toContain(`Référence : ${reference}`);
    expect(email?.body).toContain(
      'Centre : Contrôle Technique Lyon Gerland, 42 avenue Jean Jaurès, 69007 Lyon',
    );
    expect(email?.body).toContain('Prestation : contrôle technique périodique (45 min)');
    expect(email?.body).toMatch(/Prix : 78,00\s€ \(à régler au centre\)/);
    expect(email?.body).toContain(`https://rdv.pti.example/mes-rendez-vous/${reference}`);
    const [ics] = email?.attachments ?? [];
    expect(ics?.filename).toBe('rendez-vous.ics');
    expect(ics?.content).toContain('METHOD:REQUEST');
    expect(ics?.content).toContain(`UID:${slot.bookingId}@pti-calendar`);
    expect(ics?.content).toContain('DTSTART:20260616T080000Z');
    expect(ics?.content).toContain('DTEND:20260616T084500Z');
    expect(ics?.content).toContain('SEQUENCE:0');
    const sms = smsOf(messages);
    expect(sms?.recipient).toBe('+33612345678');
    expect(sms?.body).toContain('PTI : contrôle technique confirmé le 16/06/2026 à 10 h 00');

    // Delivered again (checkpoint and handled ids lost): still one message each.
    await runtime.stop();
    await stores.sql.query(`delete from ${stores.schema}.checkpoints`);
    await stores.sql.query(`delete from ${stores.schema}.processed_events`);
    const again = runtimeWith();
    await again.start({ poll: false });
    await idle(again);
    expect(await outbox()).toHaveLength(2);
  });

  it('reminds the customer the day before (a durable timer), once', async () => {
    const runtime = runtimeWith();
    await runtime.start({ poll: false });
    const slot = await world.book({
      centreId: CENTRE,
      date: '2026-06-17',
      start: '09:30',
      paymentMode: 'on_site',
    });
    await world.confirmOnSite(slot);
    await idle(runtime);
    const [timer] = await listTimers(stores.sql, stores.schema, {
      saga: NOTIFICATIONS_SAGA,
      kind: 'reminder',
    });
    expect(timer?.dueAt.toISOString()).toBe('2026-06-16T07:30:00.000Z');

    world.clock.set('2026-06-16T07:29:00.000Z');
    await idle(runtime);
    expect(await outbox('rappel_j1')).toEqual([]);
    world.clock.set('2026-06-16T07:30:00.000Z');
    await idle(runtime);
    world.clock.advance(3_600_000);
    await idle(runtime);
    const reminders = await outbox('rappel_j1');
    expect(reminders).toHaveLength(2);
    expect(emailOf(reminders)?.subject).toBe('Rappel : votre contrôle technique demain à 9 h 30');
    expect(emailOf(reminders)?.body).toContain('demain, mercredi 17 juin 2026 à 9 h 30');
    expect(smsOf(reminders)?.body).toContain('PTI : rappel, contrôle technique demain à 9 h 30');
  });

  it('tells of a change (updated calendar file) and of a cancellation (cancelled event), and drops the reminder', async () => {
    const runtime = runtimeWith();
    await runtime.start({ poll: false });
    const slot = await world.book({
      centreId: CENTRE,
      date: '2026-06-18',
      start: '10:00',
      paymentMode: 'on_site',
    });
    await world.confirmOnSite(slot);
    await world.reschedule(slot, '16:00');
    await idle(runtime);
    const changed = await outbox('modification');
    expect(emailOf(changed)?.subject).toBe(
      'Rendez-vous modifié : contrôle technique le jeudi 18 juin 2026 à 16 h 00',
    );
    expect(emailOf(changed)?.body).toContain(
      'Votre rendez-vous du jeudi 18 juin 2026 à 10 h 00 a été déplacé.',
    );
    expect(emailOf(changed)?.attachments[0]?.content).toContain('SEQUENCE:1');
    expect(emailOf(changed)?.attachments[0]?.content).toContain('DTSTART:20260618T140000Z');
    const [reminder] = await listTimers(stores.sql, stores.schema, { kind: 'reminder' });
    expect(reminder?.dueAt.toISOString()).toBe('2026-06-17T14:00:00.000Z');

    await world.cancel(slot.bookingId, 'customer');
    await idle(runtime);
    const cancelled = await outbox('annulation');
    expect(emailOf(cancelled)?.subject).toBe(
      'Rendez-vous annulé : contrôle technique du jeudi 18 juin 2026 à 16 h 00',
    );
    expect(emailOf(cancelled)?.attachments[0]?.content).toContain('METHOD:CANCEL');
    expect(emailOf(cancelled)?.attachments[0]?.content).toContain('STATUS:CANCELLED');
    expect(smsOf(cancelled)?.body).toContain('est annulé');
    expect(await listTimers(stores.sql, stores.schema, { kind: 'reminder' })).toEqual([]);
  });

  it('reminds to book the contre-visite within two months after an S result', async () => {
    const runtime = runtimeWith();
    await runtime.start({ poll: false });
    const slot = await world.book({ centreId: CENTRE, start: '10:00', paymentMode: 'on_site' });
    await world.confirmOnSite(slot);
    world.clock.set('2026-06-16T08:05:00.000Z');
    await world.checkIn(slot.bookingId, 'insp-a');
    await world.commands.recordResult({ bookingId: slot.bookingId, result: 'S', inspectorId: null }, ORIGIN);
    await idle(runtime);
    const reminder = await outbox('rappel_contre_visite');
    expect(emailOf(reminder)?.subject).toBe('Contre-visite à réaliser avant le 16/08/2026');
    expect(emailOf(reminder)?.body).toContain(
      'Une contre-visite est obligatoire pour le véhicule AB-123-CD.',
    );
    expect(emailOf(reminder)?.body).toContain('jusqu’au dimanche 16 août 2026 inclus');
    expect(emailOf(reminder)?.body).toContain(
      `https://rdv.pti.example/reserver?controle=CVP&centre=${CENTRE}`,
    );
    expect(smsOf(reminder)?.body).toContain('à passer avant le 16/08/2026 (deux mois)');
  });

  it('sends through Brevo (e-mail) and SMS Mode (SMS) once each, retrying a provider outage', async () => {
    const requests: { url: string; headers: Record<string, unknown>; body: Record<string, unknown> }[] = [];
    let failNextEmail = true;
    const providers: TestServer = await startTestServer(async (app) => {
      app.post('/v3/smtp/email', async (request, reply) => {
        requests.push({
          url: request.url,
          headers: request.headers,
          body: request.body as Record<string, unknown>,
        });
        if (failNextEmail) {
          failNextEmail = false;
          return reply.code(502).send({ message: 'bad gateway' });
        }
        return reply.code(201).send({ messageId: '<brevo-1@smtp-relay.mailin.fr>' });
      });
      app.post('/sms/v1/messages', async (request, reply) => {
        requests.push({
          url: request.url,
          headers: request.headers,
          body: request.body as Record<string, unknown>,
        });
        return reply.code(201).send({ messageId: 'smsmode-1', acceptedAt: '2026-06-15T08:00:00Z' });
      });
    });
    try {
      const brevo = createBrevoClient({
        apiKey: 'brevo-key',
        baseUrl: `${providers.url}/v3`,
        sender: { email: 'rendez-vous@pti-calendar.fr', name: 'PTI Calendar' },
      });
      const runtime = runtimeWith({
        email: brevo.email,
        sms: createSmsModeClient({ apiKey: 'smsmode-key', baseUrl: providers.url }),
      });
      await runtime.start({ poll: false });
      const slot = await world.book({ centreId: CENTRE, start: '10:00', paymentMode: 'on_site' });
      await world.confirmOnSite(slot);
      await idle(runtime);
      world.clock.advance(1_000);
      await idle(runtime);
      world.clock.advance(60_000);
      await idle(runtime);

      const emails = requests.filter((r) => r.url === '/v3/smtp/email');
      const sms = requests.filter((r) => r.url === '/sms/v1/messages');
      expect(emails).toHaveLength(2);
      expect(sms).toHaveLength(1);
      expect(emails[1]?.headers['api-key']).toBe('brevo-key');
      expect(emails[1]?.body).toMatchObject({
        sender: { email: 'rendez-vous@pti-calendar.fr', name: 'PTI Calendar' },
        to: [{ email: 'camille.martin@example.fr', name: 'Camille Martin' }],
        subject: 'Rendez-vous confirmé : contrôle technique le mardi 16 juin 2026 à 10 h 00',
      });
      const attachment = (emails[1]?.body.attachment as { name: string; content: string }[] | undefined)?.[0];
      expect(attachment?.name).toBe('rendez-vous.ics');
      expect(Buffer.from(attachment?.content ?? '', 'base64').toString('utf8')).toContain('BEGIN:VEVENT');
      expect(sms[0]?.headers['x-api-key']).toBe('smsmode-key');
      expect(sms[0]?.body).toMatchObject({ recipient: { to: '33612345678' }, from: 'PTI' });
      expect((sms[0]?.body.body as { text: string } | undefined)?.text).toContain(
        'contrôle technique confirmé',
      );

      const messages = await outbox();
      expect(messages.map((m) => [m.channel, m.status, m.provider, m.providerMessageId])).toEqual([
        ['email', 'sent', 'brevo', '<brevo-1@smtp-relay.mailin.fr>'],
        ['sms', 'sent', 'smsmode', 'smsmode-1'],
      ]);
      expect(await listDeadLetters(stores.sql, stores.schema)).toEqual([]);
    } finally {
      await providers.close();
    }
  });
});
