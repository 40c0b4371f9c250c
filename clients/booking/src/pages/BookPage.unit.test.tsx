// @vitest-environment jsdom
import {
  createMemoryHistory,
  createRootRoute,
  createRoute,
  createRouter,
  Outlet,
  RouterProvider,
} from '@tanstack/react-router';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HeldSlot, HoldBody, PlaceBookingBody, PlacedBooking } from '../app/api.js';
import { ApiError } from '../app/api.js';
import { BookPage, type BookSearch } from './BookPage.js';

/**
 * The booking page (hold → form → recap) with the API's calls replaced: the slot hold, the
 * placement and the centre's card answer what each test says. Everything else is the real page:
 * its validation, the plate's live check, the countdown and the expiry handling.
 */

const fake = vi.hoisted(() => ({
  hold: null as ((body: HoldBody) => Promise<HeldSlot>) | null,
  place: null as ((body: PlaceBookingBody) => Promise<PlacedBooking>) | null,
  released: [] as string[],
}));

vi.mock('../app/api.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../app/api.js')>();
  const { createPtiApi } = await import('@pti/api-client');
  // The centre's card (for its name) comes from a fetch answered here.
  const api = createPtiApi({
    baseUrl: 'http://localhost',
    fetch: async (request: Request) =>
      new URL(request.url).pathname === `/api/v1/centres/${CENTRE_ID}`
        ? Response.json({ centreId: CENTRE_ID, name: 'Contrôle technique Lyon Gerland' })
        : Response.json({ code: 'NOT_FOUND', title: 'Not Found', status: 404 }, { status: 404 }),
  });
  return {
    ...actual,
    api,
    holdSlot: vi.fn((body: HoldBody) => (fake.hold ? fake.hold(body) : Promise.reject(new Error('no hold')))),
    releaseHold: vi.fn(async (hold: HeldSlot) => {
      fake.released.push(hold.holdId);
      return {};
    }),
    placeBooking: vi.fn((body: PlaceBookingBody) =>
      fake.place ? fake.place(body) : Promise.reject(new Error('no placement')),
    ),
    confirmOnSite: vi.fn(async () => ({})),
  };
});

const CENTRE_ID = '22222222-2222-4222-8222-222222222201';
let startMinute = 0;

function heldUntil(body: HoldBody, expiresAt: number): HeldSlot {
  return {
    holdId: 'hold-1',
    bookingId: 'booking-1',
    holdToken: 'token-1',
    centreId: body.centreId,
    start: body.start,
    end: body.start,
    durationMinutes: 45,
    inspectorId: 'inspector-1',
    overbooked: false,
    listPriceCents: 7800,
    holdExpiresAt: new Date(expiresAt).toISOString(),
  };
}

function placed(body: PlaceBookingBody, priceCents = 7800): PlacedBooking {
  return {
    bookingId: 'booking-1',
    reference: 'K7M4-QX2P',
    manageToken: 'manage.token',
    status: 'placed',
    centreId: body.centreId,
    start: body.start,
    priceCents,
    holdExpiresAt: new Date(Date.now() + 14 * 60_000).toISOString(),
  } as PlacedBooking;
}

/** The page on its own route, with the calendar it links back to. */
function renderBookPage(search: Partial<BookSearch> = {}) {
  // Each test books its own start, so no hold kept by an earlier test is found again.
  startMinute += 15;
  const start = `2026-12-01T${String(8 + Math.floor(startMinute / 60)).padStart(2, '0')}:${String(startMinute % 60).padStart(2, '0')}`;
  const full: BookSearch = { category: 'VP', fuel: 'Essence', controlType: 'CTP', start, ...search };
  const root = createRootRoute({ component: () => <Outlet /> });
  const book = createRoute({
    getParentRoute: () => root,
    path: '/reserver/$centreId',
    component: () => <BookPage centreId={CENTRE_ID} search={full} />,
  });
  const centre = createRoute({
    getParentRoute: () => root,
    path: '/centres/$centreId',
    component: () => <h1>Calendrier du centre</h1>,
  });
  const router = createRouter({
    routeTree: root.addChildren([book, centre]),
    history: createMemoryHistory({ initialEntries: [`/reserver/${CENTRE_ID}`] }),
  });
  render(<RouterProvider router={router} />);
  return { start };
}

beforeEach(() => {
  // The router restores the scroll position, which jsdom does not implement.
  window.scrollTo = () => undefined;
  sessionStorage.clear();
  fake.released = [];
  fake.hold = async (body) => heldUntil(body, Date.now() + 15 * 60_000);
  fake.place = async (body) => placed(body);
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

async function formReady() {
  await screen.findByRole('heading', { name: 'Vos coordonnées', level: 1 });
  await screen.findByRole('timer');
}

describe('BookPage: the form', () => {
  it('holds the slot on arrival and shows the 15-minute countdown above the form', async () => {
    renderBookPage();
    await formReady();
    expect(screen.getByRole('timer').textContent).toMatch(/^1[45]:\d\d$/);
    // The centre's name comes from its card once loaded.
    expect(await screen.findByText(/— Contrôle technique Lyon Gerland$/)).toBeTruthy();
  });

  it('says what is missing, field by field, and moves the focus to the first one', async () => {
    const user = userEvent.setup();
    const place = vi.fn(fake.place ?? (async (body: PlaceBookingBody) => placed(body)));
    fake.place = place;
    renderBookPage();
    await formReady();
    await user.click(screen.getByRole('button', { name: 'Réserver ce créneau' }));
    expect(await screen.findByText('Indiquez l’immatriculation du véhicule.')).toBeTruthy();
    expect(screen.getByText('Indiquez votre nom et prénom.')).toBeTruthy();
    expect(screen.getByText('Indiquez votre adresse e-mail.')).toBeTruthy();
    expect(screen.getByText('Indiquez votre numéro de téléphone.')).toBeTruthy();
    const name = screen.getByLabelText('Nom et prénom');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(name.getAttribute('aria-describedby')).toContain('name-error');
    expect(document.activeElement).toBe(screen.getByLabelText('Immatriculation'));
    expect(place).not.toHaveBeenCalled();

    // Wrong formats are named with an example; a field's message goes once it is edited.
    await user.type(screen.getByLabelText('Adresse e-mail'), 'camille@');
    await user.type(screen.getByLabelText('Téléphone'), '12');
    expect(screen.queryByText('Indiquez votre adresse e-mail.')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Réserver ce créneau' }));
    expect(await screen.findByText(/Adresse e-mail invalide/)).toBeTruthy();
    expect(screen.getByText(/Numéro de téléphone invalide/)).toBeTruthy();
    expect(place).not.toHaveBeenCalled();
  });

  it('validates the plate live (SIV and FNI) and sends it normalised with the hold', async () => {
    const user = userEvent.setup();
    const place = vi.fn(async (body: PlaceBookingBody) => placed(body));
    fake.place = place;
    renderBookPage();
    await formReady();
    const plate = screen.getByLabelText('Immatriculation');
    await user.type(plate, 'AO-123-CD');
    expect(screen.getByText(/Plaque SIV invalide/)).toBeTruthy();
    expect(plate.getAttribute('aria-invalid')).toBe('true');
    await user.clear(plate);
    await user.type(plate, '123 abc 75');
    expect(screen.getByText('Plaque FNI reconnue : 123-ABC-75')).toBeTruthy();
    await user.clear(plate);
    await user.type(plate, 'ab123cd');
    expect(screen.getByText('Plaque SIV reconnue : AB-123-CD')).toBeTruthy();
    expect(plate.getAttribute('aria-invalid')).toBe('false');

    await user.type(screen.getByLabelText('Nom et prénom'), 'Camille Martin');
    await user.type(screen.getByLabelText('Adresse e-mail'), 'camille.martin@example.fr');
    await user.type(screen.getByLabelText('Téléphone'), '06 12 34 56 78');
    await user.click(screen.getByRole('radio', { name: /Payer sur place/ }));
    await user.click(screen.getByRole('button', { name: 'Réserver ce créneau' }));
    await screen.findByRole('heading', { name: 'Finalisez votre réservation', level: 1 });
    expect(place).toHaveBeenCalledTimes(1);
    expect(place.mock.calls[0]?.[0]).toMatchObject({
      vehicle: { plate: 'AB-123-CD', category: 'VP', fuel: 'Essence' },
      customer: { kind: 'private', name: 'Camille Martin', phone: '+33612345678' },
      paymentMode: 'on_site',
      hold: { id: 'hold-1', token: 'token-1' },
    });
    expect(screen.getByTestId('price').textContent).toBe('78,00\u00a0€');
    expect(
      screen.getByRole('button', { name: 'Confirmer le rendez-vous (paiement sur place)' }),
    ).toBeTruthy();
  });

  it('keeps what was typed and offers another slot when the slot was taken meanwhile', async () => {
    const user = userEvent.setup();
    fake.place = async () => {
      throw new ApiError(409, 'SLOT_TAKEN', 'Ce créneau vient d’être pris. Choisissez-en un autre.');
    };
    renderBookPage();
    await formReady();
    await user.type(screen.getByLabelText('Immatriculation'), 'AB-123-CD');
    await user.type(screen.getByLabelText('Nom et prénom'), 'Camille Martin');
    await user.type(screen.getByLabelText('Adresse e-mail'), 'camille.martin@example.fr');
    await user.type(screen.getByLabelText('Téléphone'), '0612345678');
    await user.click(screen.getByRole('button', { name: 'Réserver ce créneau' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Ce créneau vient d’être pris.');
    expect(screen.getAllByRole('link', { name: 'Choisir un autre créneau' }).length).toBeGreaterThan(0);
    expect((screen.getByLabelText('Nom et prénom') as HTMLInputElement).value).toBe('Camille Martin');
  });

  it('a contre-visite says it is free when it is: no payment, confirmed as it is', async () => {
    const user = userEvent.setup();
    fake.place = async (body) => placed(body, 0);
    renderBookPage({ controlType: 'CVP', previous: 'K7M4-AAAA', plate: 'AB-123-CD' });
    await formReady();
    expect((screen.getByLabelText('Immatriculation') as HTMLInputElement).value).toBe('AB-123-CD');
    expect(screen.getByTestId('contre-visite-hint')).toBeTruthy();
    await user.type(screen.getByLabelText('Nom et prénom'), 'Camille Martin');
    await user.type(screen.getByLabelText('Adresse e-mail'), 'camille.martin@example.fr');
    await user.type(screen.getByLabelText('Téléphone'), '0612345678');
    await user.click(screen.getByRole('button', { name: 'Réserver ce créneau' }));
    await screen.findByRole('heading', { name: 'Finalisez votre réservation', level: 1 });
    expect(screen.getByTestId('price').textContent).toBe('Gratuite (contre-visite)');
    expect(screen.queryByRole('button', { name: /en ligne|sur place/ })).toBeNull();
    expect(screen.getByRole('button', { name: 'Confirmer le rendez-vous' })).toBeTruthy();
  });
});

describe('BookPage: the hold running out', () => {
  it('when the countdown reaches zero, the page says the slot was freed and leads back to the calendar', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    fake.hold = async (body) => heldUntil(body, Date.now() + 3000);
    renderBookPage();
    await formReady();
    expect(Object.keys(sessionStorage).some((key) => key.startsWith('pti-hold:'))).toBe(true);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(4000);
    });
    const heading = await screen.findByRole('heading', {
      name: 'Le délai de 15 minutes est écoulé',
      level: 1,
    });
    // The new step's heading takes the focus (keyboard and screen-reader users start there).
    expect(document.activeElement).toBe(heading);
    expect(screen.getByRole('alert').textContent).toContain('Le créneau a été libéré');
    expect(screen.queryByRole('button', { name: 'Réserver ce créneau' })).toBeNull();
    // The ended hold is forgotten, so coming back does not offer it again.
    expect(Object.keys(sessionStorage).some((key) => key.startsWith('pti-hold:'))).toBe(false);
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    await user.click(screen.getByRole('link', { name: 'Choisir un autre créneau' }));
    await screen.findByRole('heading', { name: 'Calendrier du centre' });
  });

  it('when the server says the hold ran out at submit, the same page is shown', async () => {
    const user = userEvent.setup();
    fake.place = async () => {
      throw new ApiError(409, 'HOLD_EXPIRED', 'Le délai de réservation de 15 minutes est écoulé.');
    };
    renderBookPage();
    await formReady();
    await user.type(screen.getByLabelText('Immatriculation'), 'AB-123-CD');
    await user.type(screen.getByLabelText('Nom et prénom'), 'Camille Martin');
    await user.type(screen.getByLabelText('Adresse e-mail'), 'camille.martin@example.fr');
    await user.type(screen.getByLabelText('Téléphone'), '0612345678');
    await user.click(screen.getByRole('button', { name: 'Réserver ce créneau' }));
    await screen.findByRole('heading', { name: 'Le délai de 15 minutes est écoulé', level: 1 });
  });

  it('a slot that cannot be held on arrival is a page of its own, in the API’s words', async () => {
    fake.hold = async () => {
      throw new ApiError(409, 'SLOT_TAKEN', 'Ce créneau vient d’être pris. Choisissez-en un autre.');
    };
    renderBookPage();
    await screen.findByRole('heading', { name: 'Ce créneau n’a pas pu vous être réservé', level: 1 });
    expect(screen.getByRole('alert').textContent).toBe(
      'Ce créneau vient d’être pris. Choisissez-en un autre.',
    );
    expect(screen.queryByRole('timer')).toBeNull();
  });

  it('picking another slot lets go of the hold at once', async () => {
    const user = userEvent.setup();
    renderBookPage();
    await formReady();
    await user.click(screen.getByRole('link', { name: 'Choisir un autre créneau' }));
    await screen.findByRole('heading', { name: 'Calendrier du centre' });
    await waitFor(() => expect(fake.released).toEqual(['hold-1']));
  });
});
