import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AxeViolation,
  launchChromium,
  type RunningServer,
  screenshot,
  seriousViolations,
  startServer,
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
