import type { SpecEvent } from '../../runtime/testing/projection-spec.js';
import { createStory, type Story } from './story.js';

/**
 * The shared history of the staff read-model specifications: tenant A runs two centres in Lyon
 * (`ct-lyon`, `ct-villeurbanne`) with five bookings covering every lifecycle, tenant B one centre
 * in Nantes with one booking. Everything is decided by the write side's deciders.
 *
 * | booking | customer       | story                                                               |
 * | ------- | -------------- | ------------------------------------------------------------------- |
 * | b1      | cust-camille   | web, paid online, note, checked in, completed S (Tue 10 March 09:00) |
 * | b2      | cust-garage    | company by the call centre, on site, moved to Villeurbanne, cancelled |
 * | b3      | cust-camille   | another car, payment declined, hold expired                          |
 * | b4      | cust-julien    | motorcycle, paid, no-show (10:00)                                    |
 * | b5      | cust-lea       | placed, still holding (10:30)                                        |
 * | b9      | cust-nantes    | tenant B, confirmed on site                                          |
 */

export const TENANT_A = 'tenant-a';
export const TENANT_B = 'tenant-b';
export const LYON = 'ct-lyon';
export const VILLEURBANNE = 'ct-villeurbanne';
export const NANTES = 'ct-nantes';
export const DAY = '2026-03-10';
export const REGISTERED_AT = '2026-03-02T08:00:00.000Z';

export interface Network {
  readonly a: Story;
  readonly b: Story;
  readonly references: Readonly<Record<string, string>>;
  readonly events: SpecEvent[];
}

export function network(): Network {
  const a = createStory({ tenantId: TENANT_A });
  a.referenceCentre(LYON, REGISTERED_AT);
  a.referenceCentre(VILLEURBANNE, REGISTERED_AT, { capacity: 12 });
  const references: Record<string, string> = {};

  references.b1 = a.place({
    bookingId: 'b1',
    customerId: 'cust-camille',
    centreId: LYON,
    date: DAY,
    start: '09:00',
    at: '2026-03-05T10:00:00.000Z',
    customer: {
      kind: 'private',
      name: 'Camille Martin',
      email: 'Camille.Martin@Example.fr',
      phone: '06 12 34 56 78',
      address: { street: '8 rue des Tanneurs', postcode: '69005', city: 'Lyon' },
    },
    plate: 'ab 123 cd',
  }).reference;
  a.payAndConfirm('b1', '2026-03-05T10:03:00.000Z');
  a.note('b1', '2026-03-06T09:00:00.000Z', 'note-1', 'Client rappelé : viendra avec la carte grise.');

  references.b2 = a.place({
    bookingId: 'b2',
    customerId: 'cust-garage',
    centreId: LYON,
    date: DAY,
    start: '11:00',
    at: '2026-03-05T11:00:00.000Z',
    customer: {
      kind: 'company',
      name: 'Garage du Rhône',
      siret: '73282932000074',
      contactName: 'Éloïse Durand',
      email: 'flotte@garage-rhone.fr',
      phone: '04 78 60 12 34',
      address: null,
    },
    plate: 'GH-789-JK',
    channel: 'call_centre',
    paymentMode: 'on_site',
  }).reference;
  a.confirmOnSite('b2', '2026-03-05T11:01:00.000Z');
  a.reschedule('b2', {
    at: '2026-03-06T09:30:00.000Z',
    centreId: VILLEURBANNE,
    date: '2026-03-12',
    start: '14:00',
  });
  a.cancel('b2', '2026-03-07T09:00:00.000Z', { comment: 'Véhicule vendu entre-temps.' });

  references.b3 = a.place({
    bookingId: 'b3',
    customerId: 'cust-camille',
    centreId: LYON,
    date: '2026-03-11',
    start: '08:30',
    at: '2026-03-05T12:00:00.000Z',
    customer: {
      kind: 'private',
      name: 'Camille Martin',
      email: 'camille.martin@example.fr',
      phone: '+33612345678',
    },
    plate: 'CD-456-EF',
    channel: 'mobile',
  }).reference;
  a.payAndFail('b3', '2026-03-05T12:05:00.000Z');
  a.expire('b3', '2026-03-05T12:20:00.000Z');

  references.b4 = a.place({
    bookingId: 'b4',
    customerId: 'cust-julien',
    centreId: LYON,
    date: DAY,
    start: '10:00',
    at: '2026-03-03T18:00:00.000Z',
    customer: {
      kind: 'private',
      name: 'Julien Moreau',
      email: 'julien.moreau@example.fr',
      phone: '06 98 76 54 32',
    },
    plate: '123-ABC-69',
    category: 'Moto',
    fuel: 'Essence',
    channel: 'mobile',
  }).reference;
  a.payAndConfirm('b4', '2026-03-03T18:05:00.000Z');

  references.b5 = a.place({
    bookingId: 'b5',
    customerId: 'cust-lea',
    centreId: LYON,
    date: DAY,
    start: '10:30',
    at: '2026-03-09T16:00:00.000Z',
    customer: {
      kind: 'private',
      name: 'Léa Fontaine',
      email: 'lea.fontaine@example.fr',
      phone: '07 11 22 33 44',
    },
    plate: 'LM-321-NP',
  }).reference;

  a.block(LYON, DAY, '2026-03-09T17:00:00.000Z', {
    blockId: 'block-1',
    from: '14:00',
    to: '15:30',
    inspectorId: null,
    label: 'Étalonnage de l’opacimètre',
  });
  a.checkIn('b1', '2026-03-10T07:55:00.000Z');
  a.complete('b1', '2026-03-10T08:50:00.000Z', 'S');
  a.noShow('b4', '2026-03-10T10:30:00.000Z');

  const b = createStory({ tenantId: TENANT_B });
  b.referenceCentre(NANTES, REGISTERED_AT);
  references.b9 = b.place({
    bookingId: 'b9',
    customerId: 'cust-nantes',
    centreId: NANTES,
    date: DAY,
    start: '09:00',
    at: '2026-03-04T09:00:00.000Z',
    customer: {
      kind: 'private',
      name: 'Camille Martin',
      email: 'c.martin@example.fr',
      phone: '06 55 44 33 22',
    },
    plate: 'AB-123-CD',
  }).reference;
  b.confirmOnSite('b9', '2026-03-04T09:01:00.000Z');

  return { a, b, references, events: [...a.events(), ...b.events()] };
}
