import { centreStream } from '@pti/events';
import { DEMO_CENTRE_ID, DEMO_TENANT_ID } from '@pti/platform';
import { type CentreSetup, referencePriceList, setUpCentre, weekOf } from '../centre/centre-setup.js';
import type { WriteSideContext } from '../write-side-context.js';

/**
 * The demo network `npm start` creates on first run, in the tenant and with the centre the demo
 * accounts (embedded issuer, Keycloak realm) are attached to: three centres around Lyon and
 * Grenoble with a split day, a continuous day, a closed Saturday, inspectors accredited VL, L and
 * GAZ, and the policies' variants (free contre-visite, no overbooking, shorter horizon).
 */

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;
const morning = { from: '08:00', to: '12:00' };
const afternoon = { from: '13:30', to: '18:30' };

/** The demo controleur account (Julien Moreau) is this inspector at the demo centre. */
const DEMO_CONTROLEUR_SUBJECT = '33333333-3333-4333-8333-333333333303';

export const DEMO_CENTRES: readonly CentreSetup[] = [
  {
    centreId: DEMO_CENTRE_ID,
    code: 'LYON-GERLAND',
    name: 'Contrôle technique Lyon Gerland',
    address: '12 rue de Gerland',
    postcode: '69007',
    city: 'Lyon',
    position: { lat: 45.7326, lon: 4.8327 },
    contact: { phone: '+33478610101', email: 'lyon-gerland@demo.pti-calendar.fr' },
    // Split days: closed for lunch from 12:00 to 13:30.
    openingHours: weekOf(WEEKDAYS, [morning, afternoon], { saturday: [{ from: '08:00', to: '12:30' }] }),
    priceList: referencePriceList(),
    policy: { freeContreVisiteDays: 30 },
    inspectors: [
      {
        inspectorId: '44444444-4444-4444-8444-444444444401',
        name: 'Julien Moreau',
        userId: DEMO_CONTROLEUR_SUBJECT,
        accreditations: ['VL', 'GAZ'],
        week: weekOf(WEEKDAYS, [morning, afternoon]),
      },
      {
        inspectorId: '44444444-4444-4444-8444-444444444402',
        name: 'Sarah Lambert',
        accreditations: ['VL', 'L'],
        week: weekOf(WEEKDAYS, [morning, afternoon]),
      },
      {
        inspectorId: '44444444-4444-4444-8444-444444444403',
        name: 'Karim Benali',
        accreditations: ['VL'],
        week: weekOf(['tuesday', 'wednesday', 'thursday', 'friday'], [morning, afternoon], {
          saturday: [{ from: '08:00', to: '12:30' }],
        }),
      },
      {
        inspectorId: '44444444-4444-4444-8444-444444444404',
        name: 'Émilie Girard',
        accreditations: ['VL', 'L', 'GAZ'],
        week: weekOf(['monday', 'wednesday', 'friday'], [morning, afternoon], {
          saturday: [{ from: '08:00', to: '12:30' }],
        }),
      },
    ],
  },
  {
    centreId: '22222222-2222-4222-8222-222222222202',
    code: 'VILLEURBANNE-ZOLA',
    name: 'Contrôle technique Villeurbanne Zola',
    address: '85 cours Émile Zola',
    postcode: '69100',
    city: 'Villeurbanne',
    position: { lat: 45.7719, lon: 4.8902 },
    contact: { phone: '+33472650202', email: 'villeurbanne@demo.pti-calendar.fr' },
    openingHours: weekOf(WEEKDAYS, [{ from: '07:30', to: '19:00' }], { saturday: [morning] }),
    priceList: referencePriceList(-300),
    policy: { overbookingPercent: 0, cancellationCutoffHours: 48 },
    inspectors: [
      {
        inspectorId: '44444444-4444-4444-8444-444444444411',
        name: 'Thomas Rousseau',
        accreditations: ['VL', 'GAZ'],
        week: weekOf(WEEKDAYS, [
          { from: '07:30', to: '12:00' },
          { from: '13:00', to: '16:00' },
        ]),
      },
      {
        inspectorId: '44444444-4444-4444-8444-444444444412',
        name: 'Léa Fontaine',
        accreditations: ['VL', 'L'],
        week: weekOf(
          WEEKDAYS,
          [
            { from: '10:30', to: '14:00' },
            { from: '14:30', to: '19:00' },
          ],
          {
            saturday: [morning],
          },
        ),
      },
      {
        inspectorId: '44444444-4444-4444-8444-444444444413',
        name: 'Hugo Mercier',
        accreditations: ['VL'],
        week: weekOf(WEEKDAYS, [
          { from: '07:30', to: '12:00' },
          { from: '13:00', to: '16:00' },
        ]),
      },
    ],
  },
  {
    centreId: '22222222-2222-4222-8222-222222222203',
    code: 'GRENOBLE-PERROT',
    name: 'Contrôle technique Grenoble Jean Perrot',
    address: '20 avenue Jean Perrot',
    postcode: '38100',
    city: 'Grenoble',
    position: { lat: 45.1737, lon: 5.7363 },
    contact: { phone: '+33476330303', email: 'grenoble@demo.pti-calendar.fr' },
    openingHours: weekOf(WEEKDAYS, [
      { from: '08:30', to: '12:00' },
      { from: '14:00', to: '18:00' },
    ]),
    priceList: referencePriceList(500),
    policy: { horizonDays: 60, minimumNoticeMinutes: 240 },
    inspectors: [
      {
        inspectorId: '44444444-4444-4444-8444-444444444421',
        name: 'Nicolas Faure',
        accreditations: ['VL', 'L'],
        week: weekOf(WEEKDAYS, [
          { from: '08:30', to: '12:00' },
          { from: '14:00', to: '18:00' },
        ]),
      },
      {
        inspectorId: '44444444-4444-4444-8444-444444444422',
        name: 'Manon Chevalier',
        accreditations: ['VL', 'GAZ'],
        week: weekOf(
          ['monday', 'tuesday', 'thursday', 'friday'],
          [
            { from: '08:30', to: '12:00' },
            { from: '14:00', to: '18:00' },
          ],
        ),
      },
    ],
  },
];

export interface DemoSeedResult {
  /** False when the ledger already had centres (nothing was written). */
  readonly created: boolean;
  readonly centres: number;
}

/**
 * Creates the demo network through the command handlers, unless the ledger already holds any
 * centre (a restart, or a real network): it is seeded once, never twice, never over real data.
 */
export async function seedDemoNetwork(ctx: WriteSideContext): Promise<DemoSeedResult> {
  const known = await ctx.centres.load();
  // `load` reads the gap-safe global order, which may not show the newest centres yet while another
  // transaction runs on the cluster; the demo centres' own streams are read directly.
  const revisions = await Promise.all(
    DEMO_CENTRES.map((c) => ctx.env.ledger.streamRevision(centreStream(c.centreId))),
  );
  const centres = Math.max(known, revisions.filter((r) => r > 0n).length);
  if (centres > 0) return { created: false, centres };
  const meta = {
    origin: {
      tenantId: DEMO_TENANT_ID,
      actor: { id: 'demo-seed', role: 'system' as const },
      correlationId: 'demo-network-seed',
    },
  };
  for (const setup of DEMO_CENTRES) await setUpCentre(ctx, setup, meta);
  return { created: true, centres: DEMO_CENTRES.length };
}
