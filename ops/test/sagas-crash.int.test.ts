import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createPgPool, createPostgresLedger, pgExecutor, type RecordedEvent, START } from '@pti/platform';
import {
  ADELSOFT_SIMULATOR_API_KEY,
  ADELSOFT_SIMULATOR_WEBHOOK_SECRET,
  createAdelsoftSimulator,
  createPayzenSimulator,
  listOutbox,
  SIMULATOR_CREDENTIALS,
  sagasSchemaFor,
} from '@pti/sagas';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dropSchemas,
  freePort,
  hiddenInputs,
  PLATFORM_START,
  postForm,
  uniqueSchema,
} from './sagas-platform.js';

/**
 * The saga PROCESS (write side, sagas and their routes: `sagas-crash-child.ts`) killed with SIGKILL
 * at random moments while motorists book and pay over HTTP, and restarted each time. The Payzen and
 * AdelSoft simulators live in this test process, so what the providers received survives the kills.
 * A last process, its clock two hours later, settles everything. Then: no payment recorded twice,
 * no refund twice, no duplicate notification, no duplicate AdelSoft appointment, no hold left
 * unreleased and no booking left waiting. Needs PostgreSQL (the processes share the database).
 */
const url = process.env.DATABASE_URL;
const child = fileURLToPath(new URL('./sagas-crash-child.ts', import.meta.url));
if (!url) console.info('[sagas crash] DATABASE_URL unset: the SIGKILL crash test needs PostgreSQL, skipped');

const CENTRE = '22222222-2222-4222-8222-222222222201';
const STARTS = ['2026-06-16', '2026-06-17'].flatMap((day) =>
  ['08:00', '08:45', '09:30', '10:15', '11:00', '13:30', '14:15', '15:00', '15:45', '16:30', '17:15'].map(
    (time) => `${day}T${time}`,
  ),
);

describe.skipIf(!url)('crash: the saga process SIGKILLed at random points (PostgreSQL)', () => {
  const schema = uniqueSchema('t_sagas_crash');
  let running: ChildProcess | undefined;
  const simulators = Fastify({ logger: false });

  afterAll(async () => {
    running?.kill('SIGKILL');
    await simulators.close();
    if (url) await dropSchemas(url, schema);
  });

  it('pays, notifies and syncs exactly once and releases every hold', { timeout: 600_000 }, async () => {
    const databaseUrl = url ?? '';
    const childPort = await freePort();
    const childUrl = `http://127.0.0.1:${childPort}`;
    const simPort = await freePort();
    const simUrl = `http://127.0.0.1:${simPort}`;
    const payzen = createPayzenSimulator({ ...SIMULATOR_CREDENTIALS });
    const adelsoft = createAdelsoftSimulator({
      apiKey: ADELSOFT_SIMULATOR_API_KEY,
      webhookUrl: `${childUrl}/api/v1/adelsoft/results`,
      webhookSecret: ADELSOFT_SIMULATOR_WEBHOOK_SECRET,
    });
    await simulators.register(payzen.plugin, { prefix: '/payzen' });
    await simulators.register(adelsoft.plugin, { prefix: '/adelsoft' });
    await simulators.listen({ port: simPort, host: '127.0.0.1' });

    const childEnv = (clock: string) => ({
      ...process.env,
      PTI_CHILD_DATABASE_URL: databaseUrl,
      PTI_CHILD_SCHEMA: schema,
      PTI_CHILD_PORT: String(childPort),
      PTI_CHILD_CLOCK: clock,
      PTI_CHILD_MANAGE_SECRET: manageSecret,
      PTI_CHILD_CUSTOMER_SECRET: customerSecret,
      PTI_CHILD_SAGAS_ENV: JSON.stringify({
        PAYMENT_PROVIDER: 'payzen',
        PAYZEN_API_URL: `${simUrl}/payzen`,
        PAYZEN_SHOP_ID: SIMULATOR_CREDENTIALS.shopId,
        PAYZEN_PASSWORD: SIMULATOR_CREDENTIALS.password,
        PAYZEN_HMAC_KEY: SIMULATOR_CREDENTIALS.hmacKey,
        ADELSOFT: 'http',
        ADELSOFT_API_URL: `${simUrl}/adelsoft`,
        ADELSOFT_API_KEY: ADELSOFT_SIMULATOR_API_KEY,
        ADELSOFT_WEBHOOK_SECRET: ADELSOFT_SIMULATOR_WEBHOOK_SECRET,
      }),
    });
    const manageSecret = randomBytes(32).toString('base64');
    const customerSecret = randomBytes(32).toString('base64');
    const spawnChild = (clock: string) =>
      spawn(process.execPath, ['--conditions=pti-source', '--import', 'tsx', child], {
        env: childEnv(clock),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
    const ready = (proc: ChildProcess) =>
      new Promise<void>((resolve, reject) => {
        proc.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('ready')) resolve();
        });
        proc.once('exit', (code) => reject(new Error(`the saga process exited early (${code})`)));
      });
    const killed = (proc: ChildProcess) =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      });

    let seed = 4242;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const refused = (error: unknown) =>
      error instanceof Error && (error.cause as { code?: string } | undefined)?.code === 'ECONNREFUSED';
    /**
     * A request to the saga process: waits while it is down (connection refused); `undefined` when it
     * died with the request in flight (the motorist does not know what happened) or refused it.
     */
    const call = async (path: string, body: unknown): Promise<Record<string, unknown> | undefined> => {
      for (let attempt = 0; attempt < 600; attempt += 1) {
        try {
          const response = await fetch(`${childUrl}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          return response.status < 300 ? ((await response.json()) as Record<string, unknown>) : undefined;
        } catch (error) {
          if (!refused(error)) return undefined;
          await pause(100);
        }
      }
      return undefined;
    };

    // The first process creates the demo network before the motorists arrive.
    running = spawnChild(PLATFORM_START);
    await ready(running);

    let rounds = 0;
    let done = false;
    const stats = { placed: 0, paid: 0, declined: 0, abandoned: 0, cancelled: 0, returns: 0 };
    const motorists = (async () => {
      for (let n = 0; n < STARTS.length && (rounds < 8 || n < 12); n += 1) {
        const start = STARTS[n] ?? '';
        const placed = await call('/api/v1/bookings', {
          centreId: CENTRE,
          start,
          controlType: 'CTP',
          vehicle: { plate: 'AB-123-CD', category: 'VP', fuel: 'Diesel' },
          customer: {
            kind: 'private',
            name: 'Camille Martin',
            email: `client${n}@example.fr`,
            phone: '06 12 34 56 78',
          },
          channel: 'web',
          paymentMode: 'online',
        });
        if (placed === undefined) continue;
        stats.placed += 1;
        const token = String(placed.manageToken);
        const payment = await call(`/api/v1/manage/${token}/payment`, {});
        if (payment === undefined || typeof payment.formToken !== 'string') continue;
        const choice = n % 4 === 3 ? 'abandon' : n % 4 === 2 ? 'decline' : 'accept';
        if (choice === 'abandon') {
          stats.abandoned += 1;
          continue;
        }
        const returnUrl = `${childUrl}/api/v1/payments/payzen/return`;
        const form = await fetch(
          `${simUrl}/payzen/form?${new URLSearchParams({ formToken: payment.formToken, returnUrl })}`,
        );
        const page = await postForm(`${simUrl}/payzen/form/decision`, {
          ...hiddenInputs(await form.text()),
          decision: choice,
        });
        stats[choice === 'accept' ? 'paid' : 'declined'] += 1;
        // The browser comes back, even when the IPN hit a dead process.
        const fields = hiddenInputs(await page.text());
        for (let attempt = 0; attempt < 100; attempt += 1) {
          const back = await postForm(returnUrl, fields).catch(() => undefined);
          if (back?.status === 303) {
            stats.returns += 1;
            break;
          }
          await pause(100);
        }
        if (choice === 'accept' && n % 8 === 0) {
          // Cancelled within policy once confirmed: refunded.
          for (let attempt = 0; attempt < 30; attempt += 1) {
            await pause(200);
            if ((await call(`/api/v1/manage/${token}/cancel`, {})) !== undefined) {
              stats.cancelled += 1;
              break;
            }
          }
        }
      }
      done = true;
    })();

    // Killed at random moments: mid-request, mid-event, mid-job, while catching up.
    while (!done) {
      await pause(200 + random() * 1_500);
      await killed(running);
      rounds += 1;
      running = spawnChild(PLATFORM_START);
      await ready(running).catch(() => undefined);
    }
    await motorists;
    await killed(running);

    // A last process, two hours later: every hold has run out, every job is due.
    running = spawnChild('2026-06-15T10:00:00.000Z');
    await ready(running);

    const ledger = createPostgresLedger({ connectionString: databaseUrl, schema });
    const pool = createPgPool({ url: databaseUrl, max: 2 });
    try {
      const readAll = async () => {
        const events: RecordedEvent[] = [];
        let after = START;
        for (;;) {
          const page = await ledger.readAll({ after, limit: 1_000 });
          events.push(...page.events);
          after = page.next;
          if (page.isEnd) return events;
        }
      };
      const facts = async () => {
        const events = await readAll();
        const byBooking = new Map<string, string[]>();
        const reservations = new Map<string, string[]>();
        for (const event of events) {
          const data = event.data as Record<string, unknown>;
          if (event.streamName.startsWith('booking-')) {
            const list = byBooking.get(String(data.bookingId)) ?? [];
            list.push(event.type);
            byBooking.set(String(data.bookingId), list);
          }
          if (event.streamName.startsWith('calendar-') && typeof data.reservationId === 'string') {
            const list = reservations.get(data.reservationId) ?? [];
            list.push(event.type);
            reservations.set(data.reservationId, list);
          }
        }
        return { events, byBooking, reservations };
      };
      const openHolds = (reservations: Map<string, string[]>) =>
        [...reservations].filter(
          ([, types]) =>
            types.includes('SlotHeld') &&
            !types.some((t) => t === 'HoldConfirmed' || t === 'HoldReleased' || t === 'ReservationFreed'),
        );
      const waiting = (byBooking: Map<string, string[]>) =>
        [...byBooking].filter(
          ([, types]) =>
            !types.some(
              (t) => t === 'BookingConfirmed' || t === 'BookingExpired' || t === 'BookingCancelled',
            ),
        );
      const sagasSchema = sagasSchemaFor(schema);
      let settled: Awaited<ReturnType<typeof facts>> | undefined;
      for (const deadline = Date.now() + 180_000; Date.now() < deadline; await pause(500)) {
        const current = await facts();
        const confirmed = [...current.byBooking]
          .filter(([, types]) => types.includes('BookingConfirmed') && !types.includes('BookingCancelled'))
          .map(([id]) => id);
        const pushed = confirmed.every((id) => adelsoft.appointments().some((a) => a.bookingId === id));
        const outbox = await listOutbox(pgExecutor(pool), sagasSchema, {
          template: 'confirmation',
          limit: 500,
        });
        const notified = confirmed.every((id) => outbox.some((m) => m.bookingId === id));
        if (
          openHolds(current.reservations).length === 0 &&
          waiting(current.byBooking).length === 0 &&
          pushed &&
          notified
        ) {
          settled = current;
          break;
        }
      }
      const final = settled ?? (await facts());
      console.info(
        `[sagas crash] ${rounds} kills; motorists: ${JSON.stringify(stats)}; bookings in the ledger: ${final.byBooking.size}`,
      );
      expect(rounds).toBeGreaterThanOrEqual(8);
      expect(openHolds(final.reservations)).toEqual([]);
      expect(waiting(final.byBooking)).toEqual([]);

      // Payments: each recorded once; refunds once per transaction.
      const outcomes = new Map<string, string[]>();
      for (const event of final.events) {
        if (event.type !== 'PaymentSucceeded' && event.type !== 'PaymentFailed') continue;
        const paymentId = String((event.data as Record<string, unknown>).paymentId);
        outcomes.set(paymentId, [...(outcomes.get(paymentId) ?? []), event.type]);
      }
      expect([...outcomes.values()].filter((types) => types.length > 1)).toEqual([]);
      const refunded = payzen.refunds().map((refund) => refund.transactionUuid);
      expect(new Set(refunded).size).toBe(refunded.length);
      expect([...final.byBooking.values()].some((types) => types.includes('PaymentSucceeded'))).toBe(true);

      // AdelSoft: one appointment per booking.
      const appointments = adelsoft.appointments().map((a) => a.bookingId);
      expect(new Set(appointments).size).toBe(appointments.length);

      // Notifications: one message per booking, template and channel.
      const messages = await listOutbox(pgExecutor(pool), sagasSchema, { limit: 500 });
      const keys = messages.map((m) => `${m.bookingId}/${m.template}/${m.channel}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(messages.some((m) => m.template === 'confirmation')).toBe(true);
    } finally {
      await killed(running);
      await ledger.close();
      await pool.end();
    }
  });
});
