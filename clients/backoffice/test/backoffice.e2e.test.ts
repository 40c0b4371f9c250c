import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, screenshot, seriousAxeViolations } from './support/browser.js';
import {
  buildBackoffice,
  type RunningPti,
  type ServedBackoffice,
  serveBackoffice,
  startPti,
} from './support/pti-server.js';

/**
 * The back office end to end, in headless Debian Chromium against the application started as
 * `npm start` starts it (embedded mode, demo network, fresh data dir): staff login, the day agenda
 * with check-in and result, a call-centre booking on a customer's behalf, the audit view at an
 * instant, and axe-core on every page. Screenshots go to test/artifacts/ (gitignored).
 */

const GERLAND = '22222222-2222-4222-8222-222222222201';
const GERLAND_NAME = 'Contrôle technique Lyon Gerland';
/** Julien Moreau, a demo inspector of Gerland accredited for cars. */
const GERLAND_INSPECTOR = '44444444-4444-4444-8444-444444444401';

function parisDate(offsetDays = 0): string {
  const now = new Date(Date.now() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

interface SeededBooking {
  readonly bookingId: string;
  readonly reference: string;
  readonly phone: string;
  readonly name: string;
}

let pti: RunningPti;
let served: ServedBackoffice;
let browser: Browser;
let page: Page;
/** A confirmed booking of today at Gerland, when the day still had a free start (else null). */
let todays: SeededBooking | null = null;
/** The booking the call-centre test makes through the UI. */
let phoned: { reference: string; bookingId: string } | null = null;
const axeReport: Record<string, number> = {};

async function api<T>(
  path: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<T> {
  const response = await fetch(`${pti.url}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path} → ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

const tokenOf = async (username: string) =>
  (
    await api<{ accessToken: string }>('/auth/login', {
      method: 'POST',
      body: { username, password: 'demo' },
    })
  ).accessToken;

const firstStarts = async (date: string): Promise<string[]> =>
  (
    await api<{ days: { date: string; starts: string[] }[] }>(
      `/centres/${GERLAND}/availability?from=${date}&to=${date}&category=VP&fuel=Diesel&controlType=CTP`,
    )
  ).days[0]?.starts ?? [];

/**
 * Gerland and one inspector opened around the clock with no minimum notice, so that today has a
 * free start whatever the time of day (check-in is allowed on the appointment's day only). Only
 * from about 23:15 in Paris does no control fit in the day any more.
 */
async function openGerlandAroundTheClock(): Promise<void> {
  const allDay = Object.fromEntries(
    ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((day) => [
      day,
      [{ from: '00:00', to: '23:59' }],
    ]),
  );
  const [admin, responsable] = [await tokenOf('admin'), await tokenOf('responsable')];
  await api(`/centres/${GERLAND}/policy`, {
    method: 'PATCH',
    token: admin,
    body: { minimumNoticeMinutes: 0 },
  });
  await api(`/centres/${GERLAND}/opening-hours`, {
    method: 'PUT',
    token: responsable,
    body: { week: allDay },
  });
  await api(`/centres/${GERLAND}/inspectors/${GERLAND_INSPECTOR}/schedule`, {
    method: 'PUT',
    token: responsable,
    body: { week: allDay },
  });
  // The read side has the new hours once a day in ten days offers a start at midnight.
  const probe = parisDate(10);
  const deadline = Date.now() + 30_000;
  while ((await firstStarts(probe))[0] !== '00:00') {
    if (Date.now() > deadline) throw new Error(`Gerland's new hours not visible on ${probe} after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A booking today (for check-in, which the rules allow on the appointment's day only). */
async function seedTodaysBooking(): Promise<SeededBooking | null> {
  const today = parisDate();
  await openGerlandAroundTheClock();
  const start = (await firstStarts(today))[0];
  if (start === undefined) return null;
  const token = await tokenOf('conseiller');
  const customer = {
    kind: 'private',
    name: 'Hélène Dubois',
    email: 'helene.dubois@example.fr',
    phone: '+33612340001',
  };
  const placed = await api<{ bookingId: string; reference: string }>(`/centres/${GERLAND}/bookings`, {
    method: 'POST',
    token,
    body: {
      start: `${today}T${start}`,
      controlType: 'CTP',
      vehicle: { plate: 'GH-456-JK', category: 'VP', fuel: 'Diesel' },
      customer,
      channel: 'call_centre',
      paymentMode: 'on_site',
    },
  });
  await api(`/bookings/${placed.bookingId}/confirm`, {
    method: 'POST',
    token,
    body: { paymentMode: 'on_site' },
  });
  return {
    bookingId: placed.bookingId,
    reference: placed.reference,
    phone: customer.phone,
    name: customer.name,
  };
}

async function expectAccessible(name: string): Promise<void> {
  const violations = await seriousAxeViolations(page);
  axeReport[name] = violations.length;
  await screenshot(page, name);
  expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
}

async function signIn(username: string): Promise<void> {
  await page.goto(`${served.origin}/backoffice/`);
  const signOut = page.getByRole('button', { name: 'Se déconnecter' });
  if (await signOut.isVisible().catch(() => false)) await signOut.click();
  await page.getByLabel('Identifiant ou e-mail').fill(username);
  await page.getByLabel('Mot de passe').fill('demo');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
}

describe.skipIf(!hasChromium)('back office in headless Chromium', () => {
  beforeAll(async () => {
    await buildBackoffice();
    pti = await startPti();
    served = await serveBackoffice(pti);
    console.info(
      `[e2e] back office served by ${served.mode === 'pti' ? 'pti start itself' : 'a local static server proxying to pti start'}`,
    );
    todays = await seedTodaysBooking();
    if (todays === null)
      console.info(
        '[e2e] no control fits in what is left of today at Gerland (after 23:15 Paris): check-in/result steps will be skipped',
      );
    browser = await launchChromium();
    page = await browser.newPage({
      locale: 'fr-FR',
      timezoneId: 'Europe/Paris',
      viewport: { width: 1280, height: 900 },
    });
  }, 300_000);

  afterAll(async () => {
    console.info(`[e2e] axe serious+critical violations per page: ${JSON.stringify(axeReport)}`);
    await browser?.close();
    await served?.stop();
    await pti?.stop();
  }, 60_000);

  it('signs staff in, refuses a wrong password, and lands on the role’s first page', async () => {
    await page.goto(`${served.origin}/backoffice/`);
    await page.getByRole('heading', { level: 1, name: 'Espace professionnel PTI' }).waitFor();
    await expectAccessible('01-login');
    await page.getByLabel('Identifiant ou e-mail').fill('responsable');
    await page.getByLabel('Mot de passe').fill('mauvais');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('Identifiant ou mot de passe incorrect.');
    await page.getByLabel('Mot de passe').fill('demo');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { level: 1, name: `Journée du centre — ${GERLAND_NAME}` }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Navigation principale' });
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Journée du centre',
      'Centre d’appels',
      'Administration du centre',
      'Statistiques',
    ]);
    expect(page.url()).toContain('/backoffice/agenda');
  }, 120_000);

  it('shows the day agenda per inspector, checks a vehicle in and records its result', async (ctx) => {
    if (todays === null) ctx.skip();
    const booking = todays!;
    await page.goto(`${served.origin}/backoffice/agenda?centre=${GERLAND}&date=${parisDate()}`);
    await page.getByRole('heading', { name: 'Planning par contrôleur' }).waitFor();
    const entry = page.getByRole('button', { name: new RegExp(booking.reference) });
    // The agenda read model follows the ledger asynchronously: refresh until the booking shows.
    await expect
      .poll(
        async () => {
          if ((await entry.count()) > 0) return true;
          await page.getByRole('button', { name: 'Actualiser' }).click();
          return false;
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toBe(true);
    expect(await entry.getAttribute('aria-label')).toMatch(/Confirmé/);
    await expectAccessible('02-agenda');
    await entry.click();
    await page.getByRole('button', { name: 'Enregistrer l’arrivée' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Arrivée enregistrée.');
    const resultA = page
      .getByRole('group', { name: 'Résultat du contrôle' })
      .getByRole('button', { name: 'A — favorable' });
    await expect
      .poll(
        async () => {
          if (await resultA.isVisible()) return true;
          await page.getByRole('button', { name: 'Actualiser' }).click();
          return false;
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toBe(true);
    await screenshot(page, '03-agenda-checked-in');
    await resultA.click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Résultat A enregistré.');
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Actualiser' }).click();
          return entry.getAttribute('aria-label');
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toMatch(/Terminé.*résultat A/);
    await screenshot(page, '04-agenda-result');
  }, 180_000);

  it('books on a customer’s behalf from the call centre (channel call_centre)', async () => {
    await signIn('conseiller');
    await page.getByRole('heading', { level: 1, name: 'Centre d’appels' }).waitFor();
    await expectAccessible('05-call-centre');
    await page.getByRole('button', { name: 'Nouveau client' }).click();
    const form = page.getByRole('region', { name: 'Nouveau rendez-vous pour le client' });
    await form.getByLabel('Code postal ou ville').fill('69007');
    await form.getByRole('button', { name: 'Rechercher' }).click();
    await form.getByRole('button', { name: new RegExp(`^${GERLAND_NAME}`) }).click();
    await form.getByLabel('Immatriculation').fill('ab-789-cd');
    await form.getByLabel('Nom').fill('Paul Lefèvre');
    await form.getByLabel('E-mail').fill('paul.lefevre@example.fr');
    await form.getByLabel('Téléphone').fill('06 98 76 54 32');
    // The first day with a free start within the next week.
    let chosen: string | null = null;
    for (let offset = 1; offset <= 7 && chosen === null; offset++) {
      await form.getByLabel('Jour du rendez-vous').fill(parisDate(offset));
      await form.getByRole('button', { name: 'Voir les créneaux libres' }).click();
      const slots = form.getByRole('list', { name: 'Créneaux libres' }).getByRole('button');
      await expect
        .poll(
          async () =>
            (await slots.count()) > 0 ||
            (await form.getByText('Aucun créneau libre ce jour-là.').count()) > 0,
        )
        .toBe(true);
      if ((await slots.count()) > 0) {
        chosen = await slots.first().textContent();
        await slots.first().click();
      }
    }
    expect(chosen).not.toBeNull();
    await expectAccessible('06-call-centre-booking-form');
    await form.getByRole('button', { name: /Réserver et confirmer/ }).click();
    await expect
      .poll(() => form.getByRole('status').textContent(), { timeout: 20_000 })
      .toMatch(/^Rendez-vous [A-Z0-9-]+ confirmé le/);
    const message = (await form.getByRole('status').textContent()) ?? '';
    const reference = /Rendez-vous ([A-Z0-9-]+) confirmé/.exec(message)?.[1] ?? '';
    const found = await api<{ items: { lastBooking: { bookingId: string; reference: string } | null }[] }>(
      `/staff/customers?reference=${encodeURIComponent(reference)}`,
      { token: await tokenOf('conseiller') },
    );
    phoned = { reference, bookingId: found.items[0]?.lastBooking?.bookingId ?? '' };
    expect(found.items[0]?.lastBooking?.reference).toBe(reference);
    const detail = page.getByRole('region', { name: `Rendez-vous ${phoned.reference}` });
    await detail.waitFor({ timeout: 20_000 });
    await expect.poll(() => detail.textContent()).toMatch(/Canalcall_centre/);
    await screenshot(page, '07-call-centre-booked');
  }, 180_000);

  it('resends the phoned booking’s confirmation and lists the customer’s bookings', async () => {
    // Follows the call-centre test: without its booking there is nothing to resend, and that is a failure.
    expect(phoned?.bookingId, 'the call-centre test must have booked and found its booking').toBeTruthy();
    const detail = page.getByRole('region', { name: `Rendez-vous ${phoned!.reference}` });
    await detail.waitFor();
    // The notification saga learns of the confirmation asynchronously: retry while it answers 409.
    await expect
      .poll(
        async () => {
          await detail.getByRole('button', { name: 'Renvoyer la confirmation' }).click();
          await expect.poll(() => detail.getByRole('status').textContent()).not.toBe('');
          return detail.getByRole('status').textContent();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toMatch(
        /^Confirmation renvoyée par e-mail à paul\.lefevre@example\.fr \(avec le fichier calendrier\)/,
      );
    const outbox = await api<{ items: { template: string; channel: string }[] }>(
      `/ops/outbox?bookingId=${phoned!.bookingId}&template=confirmation`,
      { token: await tokenOf('admin') },
    );
    // The saga's confirmation and at least one resend, each by e-mail and SMS.
    expect(outbox.items.filter((m) => m.channel === 'email').length).toBeGreaterThanOrEqual(2);

    await detail.getByRole('button', { name: 'Tous les rendez-vous de ce client' }).click();
    const history = page.getByRole('region', { name: 'Historique de Paul Lefèvre' });
    await history.waitFor();
    await expect
      .poll(() => history.getByRole('rowheader').allTextContents(), { timeout: 20_000 })
      .toContain(phoned!.reference);
    await expectAccessible('07b-call-centre-history');
  }, 120_000);

  it('blocks a period of a centre’s day and lifts it again (Débloquer)', async () => {
    await signIn('responsable');
    const day = parisDate(2);
    await page.goto(`${served.origin}/backoffice/agenda?centre=${GERLAND}&date=${day}`);
    await page.getByRole('heading', { name: 'Bloquer une période' }).waitFor();
    await page.getByLabel('De', { exact: true }).fill('07:00');
    await page.getByLabel('À', { exact: true }).fill('07:30');
    await page.getByLabel('Motif').fill('Étalonnage e2e');
    await page.getByRole('button', { name: 'Bloquer', exact: true }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toBe('Période 07:00–07:30 bloquée.');
    const unblock = page.getByRole('button', { name: /^Débloquer 07:00–07:30 .*Étalonnage e2e/ });
    const refreshUntil = async (present: boolean) =>
      expect
        .poll(
          async () => {
            if ((await unblock.count()) > 0 === present) return true;
            await page.getByRole('button', { name: 'Actualiser' }).click();
            return false;
          },
          { timeout: 20_000, interval: 1000 },
        )
        .toBe(true);
    await refreshUntil(true);
    await screenshot(page, '07c-agenda-blocked');
    await unblock.click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toBe('Période 07:00–07:30 débloquée.');
    await refreshUntil(false);
  }, 120_000);

  it('shows an auditor a booking’s history and its state at a chosen instant', async () => {
    // Today's booking (placed, confirmed, checked in, completed) or, late in the day, the phoned one.
    const target = todays ?? (phoned?.bookingId ? phoned : null);
    expect(target, 'a booking of today or the call-centre booking to audit').not.toBeNull();
    await signIn('auditeur');
    await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
    await page.getByLabel('Identifiant du rendez-vous').fill(target!.bookingId);
    await page.getByRole('button', { name: 'Afficher l’historique' }).click();
    const history = page.getByRole('region', { name: `Historique de booking-${target!.bookingId}` });
    await history.waitFor();
    await expect.poll(() => history.textContent()).toMatch(/Rendez-vous réservé/);
    expect(await history.textContent()).toMatch(/Rendez-vous confirmé/);
    expect(await history.textContent()).toMatch(/Par Conseiller centre d’appels/);
    // The state just after the first event: placed, not yet confirmed.
    await history
      .getByRole('button', { name: /^État juste après l’événement/ })
      .first()
      .click();
    const state = page.getByRole('region', { name: 'État à un instant' });
    await expect.poll(() => state.textContent()).toMatch(/1 événement\(s\) appliqué\(s\)/);
    const early = (await state.textContent()) ?? '';
    expect(early).toMatch(/placed/);
    expect(early).not.toMatch(/confirmed|completed/);
    await expectAccessible('08-audit-instant');
    // And now: the instant field defaults to the page's opening time, after every event above.
    await state.getByLabel('Instant (heure de Paris)').fill(
      new Intl.DateTimeFormat('sv-SE', {
        timeZone: 'Europe/Paris',
        dateStyle: 'short',
        timeStyle: 'medium',
      })
        .format(new Date())
        .replace(' ', 'T'),
    );
    await state.getByRole('button', { name: 'Voir l’état à cet instant' }).click();
    await expect.poll(() => state.textContent()).not.toMatch(/ 1 événement\(s\) appliqué\(s\)/);
    expect(await state.textContent()).toMatch(/completed|confirmed|checked_in/);
  }, 120_000);

  it('has no serious or critical axe violation on any page (admin sees them all)', async () => {
    await signIn('admin');
    const pages: [string, string, string][] = [
      ['09-admin-agenda', `agenda?centre=${GERLAND}&date=${parisDate()}`, 'Journée du centre'],
      ['10-admin-centre', `administration?centre=${GERLAND}`, 'Administration du centre'],
      ['11-admin-call-centre', 'centre-appels', 'Centre d’appels'],
      ['12-admin-audit', 'audit', 'Audit'],
      ['13-admin-reporting', 'statistiques', 'Statistiques'],
      ['14-admin-ops', 'exploitation', 'Exploitation'],
    ];
    for (const [name, path, heading] of pages) {
      await page.goto(`${served.origin}/backoffice/${path}`);
      await page.getByRole('heading', { level: 1, name: new RegExp(`^${heading}`) }).waitFor();
      if (name === '13-admin-reporting') {
        await page.getByLabel('Code postal ou ville').fill('69007');
        await page.getByRole('button', { name: 'Rechercher' }).click();
        await page.getByRole('button', { name: new RegExp(`^${GERLAND_NAME}`) }).click();
        await page.getByRole('button', { name: 'Afficher' }).click();
        await page.getByRole('heading', { name: 'Par jour', exact: true }).waitFor({ timeout: 20_000 });
      }
      if (name === '10-admin-centre')
        await page.getByRole('heading', { name: 'Horaires d’ouverture' }).waitFor();
      if (name === '14-admin-ops') {
        await page.getByRole('heading', { name: 'Projections' }).waitFor();
        // The projections table and the sagas' outbox (the confirmations of the bookings above).
        await page.getByRole('table', { name: /projection/ }).waitFor();
        const outbox = page.getByRole('region', { name: 'Notifications envoyées (boîte d’envoi)' });
        await expect.poll(() => outbox.textContent(), { timeout: 20_000 }).toMatch(/E-mail|SMS/);
        // A blue/green rebuild of one read model, confirmed, followed to the end (polled every second).
        await page.getByRole('button', { name: 'Reconstruire la projection centres' }).click();
        await page.getByRole('alertdialog', { name: 'Reconstruire la projection centres ?' }).waitFor();
        await page.getByRole('button', { name: 'Confirmer la reconstruction' }).click();
        const progress = page.getByRole('progressbar', { name: /Reconstruction de la projection centres/ });
        await expect.poll(() => progress.getAttribute('aria-valuenow'), { timeout: 60_000 }).toBe('100');
        await page.getByText(/Reconstruction terminée : centres v\d+ \(remplace v\d+\)/).waitFor();
      }
      await page.waitForLoadState('networkidle');
      await expectAccessible(name);
    }
  }, 240_000);
});
