import { centreDecider } from '@pti/write-side/domain';
import type { StreamEvent } from '../ports/read-models.js';
import { GERLAND, TENANT_A } from './fixtures.js';

/**
 * A centre stream decided by the write side's Centre decider: registered, its daily capacity set,
 * then deactivated for works. Each event stamped with the instant of its decision.
 */

export const CENTRE_STREAM = `centre-${GERLAND}`;

type Command = Parameters<typeof centreDecider.decide>[0];

const STORY: readonly { readonly at: string; readonly command: Command }[] = [
  {
    at: '2025-01-06T09:00:00.000Z',
    command: {
      type: 'RegisterCentre',
      centreId: GERLAND,
      code: 'CT-LYON-GERLAND',
      name: 'Contrôle Technique Lyon Gerland',
      address: '42 avenue Jean Jaurès',
      postcode: '69007',
      city: 'Lyon',
      position: { lat: 45.7441, lon: 4.8419 },
      contact: { phone: '+33478601234', email: 'lyon-gerland@pti-controle.fr' },
    },
  },
  { at: '2025-01-06T09:10:00.000Z', command: { type: 'SetDailyCapacity', centreId: GERLAND, capacity: 48 } },
  {
    at: '2025-06-30T17:00:00.000Z',
    command: { type: 'DeactivateCentre', centreId: GERLAND, reason: 'Travaux de mise aux normes' },
  },
];

export function decidedCentreStream(tenantId = TENANT_A): StreamEvent[] {
  let state = centreDecider.initialState();
  const events: StreamEvent[] = [];
  for (const { at, command } of STORY) {
    for (const event of centreDecider.decide(command, state)) {
      state = centreDecider.evolve(state, event);
      events.push({
        type: event.type,
        data: event.data,
        occurredAt: at,
        revision: BigInt(events.length + 1),
        tenantId,
        actor: { id: 'admin-a', role: 'admin_reseau' },
      });
    }
  }
  return events;
}
