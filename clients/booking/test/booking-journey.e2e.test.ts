import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, formatDateTime, mondayOf, todayInParis } from '../src/domain/week.js';
import {
  type AxeViolation,
  apiCall,
  demoToken,
  launchChromium,
  type RunningServer,
  screenshot,
  seriousViolations,
  startServer,
  tilePng,
} from './e2e-support.js';

/**
 * The motorist's journey in headless Chromium against `pti start`: search → centre → slot (held at
 * once, with its countdown) → form → payment on the Payzen simulator → confirmation → cancel through
 * the manage link; letting go of a hold by picking another slot; then the offline draft. Every page passes axe-core with no serious or critical violation; screenshots
 * land in test-artifacts/.
 */

let server: RunningServer;
let browser: Browser;
const audited: Record<string, AxeViolation[]> = {};

async function audit(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  audited[name] = await seriousViolations(page);
  expect(audited[name], `${name}: ${JSON.stringify(audited[name], null, 2)}`).toEqual([]);
}

async function mobileContext(): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: server.baseUrl,
    viewport: { width: 390, height: 844 },
    locale: 'fr-FR',
    serviceWorkers: 'allow',
  });
}

/** From the search page to the booking form of the first free slot of the first centre near 69007. */
async function reachBookingForm(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Code postal ou ville').fill('69007');
  await page.getByRole('button', { name: 'Rechercher un centre' }).click();
  await page.getByRole('list', { name: 'Centres trouvés' }).waitFor();
  await page.getByRole('list', { name: 'Centres trouvés' }).getByRole('link').first().click();
  await page.locator('button.slot').first().waitFor({ timeout: 20_000 });
  await page.locator('button.slot').first().click();
  await page.getByRole('heading', { name: 'Vos coordonnées', level: 1 }).waitFor();
  // Picking the slot held it: the countdown runs above the form.
  await page.getByRole('timer').waitFor();
}

/** Minutes and seconds the countdown shows. */
async function countdownSeconds(page: Page): Promise<number> {
  const text = (await page.getByRole('timer').textContent()) ?? '';
  const match = /^(\d\d):(\d\d)$/.exec(text);
  expect(match, `countdown ${text}`).not.toBeNull();
  return Number(match?.[1]) * 60 + Number(match?.[2]);
}

async function fillForm(page: Page, email: string): Promise<void> {
  await page.getByLabel('Immatriculation').fill('ab 123 cd');
  await page.getByLabel('Nom et prénom').fill('Camille Martin');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Téléphone').fill('06 12 34 56 78');
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
}, 200_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('booking PWA in Chromium', () => {
  it('search → slot → hold → form → simulated payment → confirmation → cancel by link', async () => {
    const context = await mobileContext();
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('heading', { level: 1 }).waitFor();
    await audit(page, '01-recherche');

    await page.getByLabel('Code postal ou ville').fill('69007');
    await page.getByRole('button', { name: 'Rechercher un centre' }).click();
    await page.getByRole('list', { name: 'Centres trouvés' }).waitFor();
    await audit(page, '02-resultats');

    await page.getByRole('list', { name: 'Centres trouvés' }).getByRole('link').first().click();
    await page.locator('button.slot').first().waitFor({ timeout: 20_000 });
    await audit(page, '03-centre');

    // Next week: far enough ahead for the centre's cancellation cut-off to allow cancelling online.
    const firstThisWeek = await page.locator('li.week-day').first().getAttribute('data-testid');
    await page.getByRole('button', { name: 'Semaine suivante →' }).click();
    await page.waitForFunction(
      (previous) => document.querySelector('li.week-day')?.getAttribute('data-testid') !== previous,
      firstThisWeek,
    );
    await page.locator('button.slot').first().waitFor({ timeout: 20_000 });
    await page.locator('button.slot').first().click();
    await page.getByRole('heading', { name: 'Vos coordonnées', level: 1 }).waitFor();
    // Picking the slot held it before the form: the 15-minute countdown is already running.
    await page.getByRole('timer').waitFor({ timeout: 15_000 });
    const atPick = await countdownSeconds(page);
    expect(atPick).toBeGreaterThan(14 * 60);
    expect(atPick).toBeLessThanOrEqual(15 * 60);
    // Live plate validation: a SIV plate with a forbidden letter is refused while typing.
    await page.getByLabel('Immatriculation').fill('AO-123-CD');
    await page
      .getByText(/Plaque SIV invalide/)
      .first()
      .waitFor();
    await fillForm(page, 'camille.martin@example.fr');
    await page.getByText('Plaque SIV reconnue : AB-123-CD').first().waitFor();
    await audit(page, '04-formulaire');

    await page.getByRole('button', { name: 'Réserver ce créneau' }).click();
    await page.getByRole('heading', { name: 'Finalisez votre réservation', level: 1 }).waitFor();
    // The booking took the hold: the same countdown goes on, it did not start again.
    const atPayment = await countdownSeconds(page);
    expect(atPayment).toBeLessThanOrEqual(atPick);
    expect(atPayment).toBeGreaterThan(10 * 60);
    await audit(page, '05-creneau-retenu');

    await page.getByRole('button', { name: /en ligne/ }).click();
    // The provider's page (the Payzen simulator in embedded mode).
    await page.waitForURL(/\/simulators\/payzen\/form/, { timeout: 20_000 });
    await screenshot(page, '06-paiement-simulateur');
    await page.locator('button[value="accept"]').click();

    await page.waitForURL(/\/rendez-vous\/confirmation/, { timeout: 30_000 });
    const reference = (await page.getByTestId('reference').textContent()) ?? '';
    expect(reference).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    await page
      .getByRole('img', { name: /QR code/ })
      .first()
      .waitFor();
    expect(await page.getByRole('link', { name: /agenda/ }).getAttribute('href')).toMatch(/calendar\.ics/);
    expect(await page.getByRole('link', { name: /PDF/ }).getAttribute('href')).toMatch(/confirmation\.pdf/);
    await audit(page, '07-confirmation');

    const ics = await page.request.get(
      (await page.getByRole('link', { name: /agenda/ }).getAttribute('href')) ?? '',
    );
    expect(ics.status()).toBe(200);
    expect(await ics.text()).toContain('BEGIN:VEVENT');

    await page.getByRole('link', { name: 'Modifier ou annuler ce rendez-vous' }).click();
    await page.getByRole('button', { name: 'Annuler le rendez-vous' }).waitFor();
    await audit(page, '08-gerer');
    await page.getByRole('button', { name: 'Annuler le rendez-vous' }).click();
    await page.getByRole('dialog').first().waitFor();
    await audit(page, '09-dialogue-annulation');
    await page.getByRole('button', { name: 'Oui, annuler' }).click();
    await page.getByText('Votre rendez-vous est annulé.').first().waitFor({ timeout: 15_000 });
    await page.getByTestId('status').getByText('Annulé').waitFor({ timeout: 15_000 });
    await screenshot(page, '10-annule');

    await page.goto('/mes-rendez-vous');
    await page.getByText(reference).first().waitFor();
    await audit(page, '11-mes-rendez-vous');
    await context.close();
  }, 180_000);

  it('picking another slot lets go of the hold; the slot is free again at once', async () => {
    const context = await mobileContext();
    const page = await context.newPage();
    await reachBookingForm(page);
    const released = page.waitForResponse(
      (response) => /\/api\/v1\/holds\/[^/]+\/release$/.test(response.url()) && response.status() === 200,
    );
    await page.getByRole('link', { name: 'Choisir un autre créneau' }).click();
    await released;
    await page.locator('button.slot').first().waitFor({ timeout: 20_000 });
    await screenshot(page, '05b-retour-calendrier');
    await context.close();
  }, 120_000);

  it('offline: the shell stays readable and a draft is sent when the network is back', async () => {
    const context = await mobileContext();
    const page = await context.newPage();
    await page.goto('/');
    // The service worker takes control of the page once installed.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await reachBookingForm(page);
    await fillForm(page, 'hors.ligne@example.fr');

    await context.setOffline(true);
    await page
      .getByText(/Vous êtes hors connexion/)
      .first()
      .waitFor();
    await audit(page, '12-hors-ligne');
    await page.getByRole('button', { name: 'Réserver ce créneau' }).click();
    await page.getByRole('heading', { name: 'Réservation enregistrée sur cet appareil' }).first().waitFor();
    await screenshot(page, '13-brouillon');

    await context.setOffline(false);
    await page
      .getByText(/Connexion rétablie : votre réservation a été envoyée/)
      .first()
      .waitFor({ timeout: 20_000 });
    await screenshot(page, '14-brouillon-envoye');

    // The app shell comes from the service worker's cache when offline.
    await context.setOffline(true);
    await page.goto('/mes-rendez-vous');
    await page.getByRole('heading', { name: 'Mes rendez-vous', level: 1 }).first().waitFor();
    await screenshot(page, '15-hors-ligne-coquille');
    await context.close();
  }, 180_000);
});

/** The map's default tile server: the browser never reaches it, the tests answer for it. */
const TILE_REQUESTS = 'https://tile.openstreetmap.org/**';
/** The demo network's first centre (Lyon Gerland) and its staff. */
const DEMO_CENTRE_ID = '22222222-2222-4222-8222-222222222201';
const JULIEN_MOREAU = '44444444-4444-4444-8444-444444444401';

async function searchResults(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Code postal ou ville').fill('69007');
  await page.getByRole('button', { name: 'Rechercher un centre' }).click();
  await page.getByRole('list', { name: 'Centres trouvés' }).waitFor();
}

describe('results map', () => {
  it('tiles load, one pin per centre with its price and first slot, a pin opens its centre by keyboard', async () => {
    const context = await mobileContext();
    const png = tilePng();
    const served: string[] = [];
    await context.route(TILE_REQUESTS, async (route) => {
      served.push(route.request().url());
      await route.fulfill({ status: 200, contentType: 'image/png', body: png });
    });
    const page = await context.newPage();
    const mapChunk = page.waitForRequest((request) => /\/assets\/ResultsMap-[^/]+\.js$/.test(request.url()));
    await searchResults(page);
    // On a phone the map waits for the person to ask for it; Leaflet loads only then.
    const list = page.getByRole('list', { name: 'Centres trouvés' });
    const centres = await list.getByRole('listitem').count();
    expect(centres).toBeGreaterThan(1);
    expect(await page.locator('.leaflet-container').count()).toBe(0);
    await page.getByRole('button', { name: 'Afficher la carte' }).click();
    await mapChunk;
    await page.locator('.results-map-frame[data-tiles="ready"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('img.leaflet-tile-loaded').count()).toBeGreaterThan(0);
    expect(served.length).toBeGreaterThan(0);
    expect(served.every((url) => /\/\d+\/\d+\/\d+\.png$/.test(url))).toBe(true);
    const pins = page.locator('.leaflet-marker-icon');
    expect(await pins.count()).toBe(centres);
    expect(await page.getByText(/Carte indisponible/).count()).toBe(0);
    // The tile provider's licence is shown.
    await page.getByRole('link', { name: /OpenStreetMap/ }).waitFor();
    await audit(page, '16-carte');

    // Keyboard: the first result's pin is a named button; Enter opens its bubble, focus on its link.
    const firstName = (await list.getByRole('listitem').first().getByRole('heading').textContent()) ?? '';
    const firstPrice = (await list.getByRole('listitem').first().locator('dd').nth(1).textContent()) ?? '';
    const pin = page.getByRole('button', { name: new RegExp(`^${escapeRegExp(firstName)} — `) });
    expect(await pin.getAttribute('aria-label')).toContain(firstPrice.trim());
    await pin.focus();
    await page.keyboard.press('Enter');
    const link = page.getByRole('link', { name: `Voir les créneaux de ${firstName}` });
    await link.waitFor();
    expect(await link.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await page.locator('.map-popup').textContent()).toMatch(/Prix : .+ — Premier créneau : .+/);
    await audit(page, '17-carte-bulle');
    // Escape closes the bubble and gives the focus back to the pin.
    await page.keyboard.press('Escape');
    await link.waitFor({ state: 'detached' });
    expect(await pin.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await link.waitFor();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/centres\/[0-9a-f-]{36}\?/);
    await page.getByRole('heading', { name: firstName, level: 1 }).waitFor();
    await context.close();
  }, 120_000);

  it('on a wide screen the map opens with the results, above the list', async () => {
    const context = await browser.newContext({
      baseURL: server.baseUrl,
      viewport: { width: 1280, height: 900 },
      locale: 'fr-FR',
    });
    await context.route(TILE_REQUESTS, (route) =>
      route.fulfill({ status: 200, contentType: 'image/png', body: tilePng([226, 232, 240]) }),
    );
    const page = await context.newPage();
    await searchResults(page);
    await page.getByRole('button', { name: 'Masquer la carte' }).waitFor();
    await page.locator('.results-map-frame[data-tiles="ready"]').waitFor({ timeout: 15_000 });
    const list = page.getByRole('list', { name: 'Centres trouvés' });
    expect(await page.locator('.leaflet-marker-icon').count()).toBe(await list.getByRole('listitem').count());
    await audit(page, '16b-carte-grand-ecran');
    // Hidden on request: the map leaves the page, the list stays.
    await page.getByRole('button', { name: 'Masquer la carte' }).click();
    await page.locator('.leaflet-container').waitFor({ state: 'detached' });
    await list.waitFor();
    await context.close();
  }, 120_000);

  it('tiles blocked: a short notice, the pins and the list keep working (service worker in control)', async () => {
    const context = await mobileContext();
    const page = await context.newPage();
    await page.goto('/');
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    let refused = 0;
    await context.route(TILE_REQUESTS, async (route) => {
      refused += 1;
      await route.abort('internetdisconnected');
    });
    await searchResults(page);
    await page.getByRole('button', { name: 'Afficher la carte' }).click();
    await page.getByText(/Carte indisponible hors connexion/).waitFor({ timeout: 15_000 });
    expect(refused).toBeGreaterThan(0);
    expect(await page.locator('img.leaflet-tile-loaded').count()).toBe(0);
    const list = page.getByRole('list', { name: 'Centres trouvés' });
    expect(await page.locator('.leaflet-marker-icon').count()).toBe(await list.getByRole('listitem').count());
    await audit(page, '18-carte-indisponible');
    // The list still leads to a centre, and the app still answers (no cached error from the tiles).
    const firstName = (await list.getByRole('listitem').first().getByRole('heading').textContent()) ?? '';
    await list.getByRole('link', { name: firstName }).click();
    await page.locator('button.slot').first().waitFor({ timeout: 20_000 });
    await page.reload();
    await page.getByRole('heading', { name: firstName, level: 1 }).waitFor();
    // Nothing from the tile server went into the service worker's caches (no error kept).
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
      }
      return urls;
    });
    expect(cached.length).toBeGreaterThan(0);
    expect(cached.filter((url) => url.includes('tile.openstreetmap.org'))).toEqual([]);
    await context.close();
  }, 120_000);
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Placed {
  readonly bookingId: string;
  readonly reference: string;
  readonly manageToken: string;
  readonly start: string;
}

interface AgendaDay {
  readonly inspectors: { readonly entries: { readonly bookingId: string; readonly start: string }[] }[];
  readonly unassigned: { readonly bookingId: string; readonly start: string }[];
}

/** The free starts (`YYYY-MM-DDTHH:MM`) of a day at a centre for a VP petrol car. */
async function freeStarts(centreId: string, date: string, controlType = 'CTP'): Promise<string[]> {
  const availability = await apiCall<{ days: { date: string; starts: string[] }[] }>(
    server,
    'GET',
    `/api/v1/centres/${centreId}/availability?${new URLSearchParams({ from: date, to: date, category: 'VP', fuel: 'Essence', controlType })}`,
  );
  return (availability.days.find((day) => day.date === date)?.starts ?? []).map(
    (start) => `${date}T${start.slice(0, 5)}`,
  );
}

/** A confirmed web booking (paid on site) placed through the public API, as the PWA does. */
async function placeConfirmed(start: string, email: string, plate: string): Promise<Placed> {
  const placed = await apiCall<Placed>(server, 'POST', '/api/v1/bookings', {
    body: {
      centreId: DEMO_CENTRE_ID,
      start,
      controlType: 'CTP',
      vehicle: { plate, category: 'VP', fuel: 'Essence' },
      customer: { kind: 'private', name: 'Camille Martin', email, phone: '+33612345678' },
      channel: 'web',
      paymentMode: 'on_site',
    },
  });
  await apiCall(server, 'POST', `/api/v1/bookings/${placed.bookingId}/confirm`, {
    body: { paymentMode: 'on_site', manageToken: placed.manageToken },
  });
  return placed;
}

/** Starts of a booking in a centre's agenda for a day (staff view). */
async function agendaStarts(token: string, date: string, bookingId: string): Promise<string[]> {
  const agenda = await apiCall<AgendaDay>(
    server,
    'GET',
    `/api/v1/staff/centres/${DEMO_CENTRE_ID}/agenda/${date}`,
    {
      token,
    },
  );
  return [...agenda.inspectors.flatMap((inspector) => inspector.entries), ...agenda.unassigned]
    .filter((entry) => entry.bookingId === bookingId)
    .map((entry) => entry.start);
}

/** The first day from `from` on (at most three weeks later) with free starts. */
async function firstDayWithStarts(from: string): Promise<{ date: string; starts: string[] }> {
  for (let offset = 0; offset < 21; offset += 1) {
    const date = addDays(from, offset);
    const starts = await freeStarts(DEMO_CENTRE_ID, date);
    if (starts.length > 0) return { date, starts };
  }
  throw new Error(`no free start at the demo centre in the three weeks from ${from}`);
}

interface FirstControl {
  readonly reference: string;
  readonly email: string;
  readonly plate: string;
}

/**
 * A first control with an S result at the demo centre, to book its contre-visite from. A result is
 * recorded after a check-in, and a check-in happens on the appointment's day only: the centre and
 * an inspector are opened around the clock without notice, then a control is booked for the next
 * start today, checked in and given its result. From 23:00 in Paris no 45-minute control fits in
 * the day any more: the first control is then one the demo network's first start completed (it
 * books the last days through the write side, S and R results included), found in the agenda.
 */
async function firstControlWithDefects(responsable: string): Promise<FirstControl> {
  const admin = await demoToken(server, 'admin');
  const allDay = Object.fromEntries(
    ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((day) => [
      day,
      [{ from: '00:00', to: '23:59' }],
    ]),
  );
  await apiCall(server, 'PATCH', `/api/v1/centres/${DEMO_CENTRE_ID}/policy`, {
    token: admin,
    body: { minimumNoticeMinutes: 0 },
  });
  await apiCall(server, 'PUT', `/api/v1/centres/${DEMO_CENTRE_ID}/opening-hours`, {
    token: responsable,
    body: { week: allDay },
  });
  await apiCall(server, 'PUT', `/api/v1/centres/${DEMO_CENTRE_ID}/inspectors/${JULIEN_MOREAU}/schedule`, {
    token: responsable,
    body: { week: allDay },
  });
  // The read side has the new hours once a day next week offers a start at midnight.
  const today = todayInParis();
  const probe = addDays(mondayOf(today), 9);
  await expect
    .poll(async () => (await freeStarts(DEMO_CENTRE_ID, probe))[0], { timeout: 20_000 })
    .toBe(`${probe}T00:00`);

  const start = (await freeStarts(DEMO_CENTRE_ID, today))[0];
  if (start !== undefined) {
    const booked = await placeConfirmed(start, 'contre.visite@example.fr', 'CV-123-AB');
    await apiCall(server, 'POST', `/api/v1/bookings/${booked.bookingId}/check-in`, {
      token: responsable,
      body: { inspectorId: JULIEN_MOREAU },
    });
    await apiCall(server, 'POST', `/api/v1/bookings/${booked.bookingId}/result`, {
      token: responsable,
      body: { result: 'S', inspectorId: JULIEN_MOREAU },
    });
    return { reference: booked.reference, email: 'contre.visite@example.fr', plate: 'CV-123-AB' };
  }
  for (const date of [today, addDays(today, -1), addDays(today, -2)]) {
    const agenda = await apiCall<{
      inspectors: { entries: { bookingId: string; controlType: string; result: string | null }[] }[];
    }>(server, 'GET', `/api/v1/staff/centres/${DEMO_CENTRE_ID}/agenda/${date}`, { token: responsable });
    for (const entry of agenda.inspectors.flatMap((inspector) => inspector.entries)) {
      if (entry.controlType !== 'CTP' || (entry.result !== 'S' && entry.result !== 'R')) continue;
      const { booking } = await apiCall<{
        booking: { reference: string; customer: { email: string | null }; vehicle: { plate: string | null } };
      }>(server, 'GET', `/api/v1/staff/bookings/${entry.bookingId}`, { token: responsable });
      if (booking.customer.email && booking.vehicle.plate)
        return { reference: booking.reference, email: booking.customer.email, plate: booking.vehicle.plate };
    }
  }
  throw new Error('no first control with an S or R result at the demo centre, and no start left today');
}

describe('manage, contre-visite and fleet', () => {
  it('reschedule through the manage link: the old slot is freed, the new one shown', async () => {
    const responsable = await demoToken(server, 'responsable');
    // Two weeks ahead (well past the cut-off), moved to a day of the week before.
    const later = await firstDayWithStarts(addDays(mondayOf(todayInParis()), 14));
    const original = later.starts[later.starts.length - 1] ?? '';
    const placed = await placeConfirmed(original, 'deplacement@example.fr', 'EF-456-GH');
    expect(await agendaStarts(responsable, later.date, placed.bookingId)).toEqual([original.slice(11)]);

    const context = await mobileContext();
    const page = await context.newPage();
    await page.goto(`/rendez-vous/gerer?token=${encodeURIComponent(placed.manageToken)}`);
    await page.getByTestId('reference').getByText(placed.reference).waitFor();
    await page.getByRole('button', { name: 'Déplacer le rendez-vous' }).click();
    await page.getByRole('heading', { name: 'Choisissez un nouveau créneau' }).waitFor();
    // Next week's first free start.
    const firstThisWeek = await page.locator('li.week-day').first().getAttribute('data-testid');
    await page.getByRole('button', { name: 'Semaine suivante →' }).click();
    await page.waitForFunction(
      (previous) => document.querySelector('li.week-day')?.getAttribute('data-testid') !== previous,
      firstThisWeek,
    );
    await page.locator('button.slot').first().waitFor({ timeout: 20_000 });
    await audit(page, '19-deplacer');
    const day =
      (await page.locator('li.week-day:has(button.slot)').first().getAttribute('data-testid')) ?? '';
    const date = /\d{4}-\d{2}-\d{2}/.exec(day)?.[0] ?? '';
    expect(date).not.toBe('');
    const label =
      (await page.locator('li.week-day:has(button.slot) button.slot').first().textContent()) ?? '';
    const time = /(\d\d:\d\d)$/.exec(label.trim())?.[1] ?? '';
    expect(time, label).not.toBe('');
    await page.locator('li.week-day:has(button.slot) button.slot').first().click();
    await page.getByText(/^Rendez-vous déplacé au /).waitFor({ timeout: 15_000 });
    // The manage page now shows the new date and time.
    await page.getByText(formatDateTime(`${date}T${time}`), { exact: true }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('status').textContent()).toBe('Confirmé');
    await audit(page, '20-deplace');

    // The staff agenda: gone from the old day, on the new one.
    await expect
      .poll(() => agendaStarts(responsable, later.date, placed.bookingId), { timeout: 15_000 })
      .toEqual([]);
    await expect
      .poll(() => agendaStarts(responsable, date, placed.bookingId), { timeout: 15_000 })
      .toEqual([`${time}`]);
    await context.close();
  }, 180_000);

  it('fleet: a signed-in client pro books three vehicles in one go and sees them in the fleet list', async () => {
    const context = await mobileContext();
    const page = await context.newPage();
    await page.goto('/pro');
    await page.getByRole('heading', { name: 'Espace professionnel — flotte', level: 1 }).waitFor();
    await audit(page, '21-pro-connexion');
    await page.getByLabel('Identifiant').fill('pro');
    await page.getByLabel('Mot de passe').fill('demo');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByText(/^Connecté : Sophie Bernard\./).waitFor();

    await page.getByLabel('Raison sociale').fill('Transports Rhône Express');
    await page.getByLabel('SIRET (14 chiffres)').fill('443 061 841 00047');
    await page.getByLabel('E-mail').fill('flotte@rhone-express.fr');
    await page.getByLabel('Téléphone').fill('04 78 00 00 00');
    await page.getByRole('button', { name: 'Ajouter un véhicule' }).click();
    const plates = ['FA-101-AA', 'FA-102-AB', 'FA-103-AC'];
    const plateInputs = page.getByLabel('Immatriculation');
    expect(await plateInputs.count()).toBe(3);
    for (const [index, plate] of plates.entries()) await plateInputs.nth(index).fill(plate);
    // The third vehicle is a petrol car; the first two stay diesel vans.
    await page.getByLabel('Type du véhicule 3').selectOption('VP');
    await page.getByLabel('Énergie du véhicule 3').selectOption('Essence');
    await page.getByLabel('Code postal du centre').fill('69007');
    // A weekday next week: open, within the horizon, whatever today is.
    const day = addDays(mondayOf(todayInParis()), 8);
    await page.getByLabel('Date souhaitée').fill(day);
    await audit(page, '22-pro-formulaire');
    await page.getByRole('button', { name: 'Réserver 3 véhicules' }).click();

    const outcome = page.getByRole('heading', { name: 'Résultat' }).locator('xpath=..');
    await expect
      .poll(
        async () =>
          (await outcome.getByRole('listitem').allTextContents()).filter((t) => /réservé le/.test(t)).length,
        {
          timeout: 60_000,
        },
      )
      .toBe(3);
    const references = (await outcome.getByRole('listitem').allTextContents()).map(
      (text) => /\(référence ([A-Z0-9]{4}-[A-Z0-9]{4})\)/.exec(text)?.[1] ?? '',
    );
    expect(references.every((reference) => reference !== '')).toBe(true);
    // The fleet list (the account's bookings on the server) shows the three vehicles.
    const fleet = page.getByRole('region', { name: 'Rendez-vous de la flotte' });
    for (const [index, plate] of plates.entries()) {
      await fleet.getByText(new RegExp(`^${plate} — .+ — Confirmé \\(${references[index]}\\)$`)).waitFor({
        timeout: 20_000,
      });
    }
    await fleet.getByText('Rendez-vous pris avec ce compte, sur tous vos appareils.').waitFor();
    await audit(page, '23-pro-flotte');
    await context.close();
  }, 180_000);

  it('contre-visite from an S result: vehicle pre-filled, free, confirmed without payment', async () => {
    const responsable = await demoToken(server, 'responsable');
    const first = await firstControlWithDefects(responsable);

    const context = await mobileContext();
    const page = await context.newPage();
    await page.goto('/contre-visite');
    await page.getByRole('heading', { name: 'Réserver une contre-visite', level: 1 }).waitFor();
    await audit(page, '24-contre-visite');
    await page.getByLabel('Référence du premier contrôle').fill(first.reference);
    await page.getByLabel('Adresse e-mail utilisée').fill(first.email);
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.waitForURL(/\/centres\/[0-9a-f-]{36}\?.*controlType=CVP/);
    await page
      .getByText(/^Contre-visite/)
      .first()
      .waitFor();
    await page.locator('button.slot').first().waitFor({ timeout: 20_000 });
    const firstThisWeek = await page.locator('li.week-day').first().getAttribute('data-testid');
    await page.getByRole('button', { name: 'Semaine suivante →' }).click();
    await page.waitForFunction(
      (previous) => document.querySelector('li.week-day')?.getAttribute('data-testid') !== previous,
      firstThisWeek,
    );
    await page.locator('button.slot').first().waitFor({ timeout: 20_000 });
    await page.locator('button.slot').first().click();
    await page.getByRole('heading', { name: 'Vos coordonnées', level: 1 }).waitFor();
    await page.getByRole('timer').waitFor({ timeout: 15_000 });
    // The first control's vehicle is carried over; the page says which control this follows.
    expect(await page.getByLabel('Immatriculation').inputValue()).toBe(first.plate);
    await page
      .getByText(/^Plaque (SIV|FNI) reconnue : /)
      .first()
      .waitFor();
    await page.getByText(`(contre-visite du contrôle ${first.reference})`, { exact: false }).waitFor();
    await page.getByTestId('contre-visite-hint').waitFor();
    await page.getByLabel('Nom et prénom').fill('Camille Martin');
    await page.getByLabel('Adresse e-mail').fill(first.email);
    await page.getByLabel('Téléphone').fill('06 12 34 56 78');
    await audit(page, '25-contre-visite-formulaire');
    await page.getByRole('button', { name: 'Réserver ce créneau' }).click();
    await page.getByRole('heading', { name: 'Finalisez votre réservation', level: 1 }).waitFor();
    expect(await page.getByTestId('price').textContent()).toBe('Gratuite (contre-visite)');
    // Nothing to pay: no payment button, the booking is confirmed as it is.
    expect(await page.getByRole('button', { name: /en ligne|sur place/ }).count()).toBe(0);
    await audit(page, '26-contre-visite-gratuite');
    await page.getByRole('button', { name: 'Confirmer le rendez-vous' }).click();
    await page.waitForURL(/\/rendez-vous\/confirmation/, { timeout: 30_000 });
    await page.getByTestId('status').getByText('Confirmé').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('price').textContent()).toBe('Gratuite (contre-visite)');
    await audit(page, '27-contre-visite-confirmee');
    await context.close();
  }, 180_000);
});
