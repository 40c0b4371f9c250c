import { randomUUID } from 'node:crypto';
import {
  calendarStream,
  centreStream,
  type EventMetadata,
  eventSamples,
  sampleDate,
  sampleIds,
} from '@pti/events';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holdReleaseSaga } from '../holds/hold-release-saga.js';
import { OUTBOX_ONLY } from '../notifications/channels.js';
import { publicSiteLinks } from '../notifications/notification-saga.js';
import { listOutbox } from '../notifications/outbox.js';
import { manualClock } from '../runtime/clock.js';
import { createSagaRuntime, type SagaRuntime } from '../runtime/saga-runtime.js';
import { type RecordingCommands, recordingCommands } from '../testing/recording-commands.js';
import { closeTestStores, type TestStores, testBackends } from '../testing/test-stores.js';
import { waitlistOfferSaga } from './waitlist-offer-saga.js';

const metadata = (): EventMetadata => ({
  tenantId: 'tenant-test',
  actor: { id: 'saga:holds', role: 'system' },
  correlationId: randomUUID(),
  causationId: null,
  occurredAt: '2025-03-13T16:30:00.000Z',
  schemaVersion: 1,
});

afterAll(closeTestStores);

describe.each(testBackends())('waitlist offers on $name', (backend) => {
  let stores: TestStores;
  let runtime: SagaRuntime;
  let commands: RecordingCommands;
  const clock = manualClock('2025-03-13T16:30:00.000Z');

  beforeEach(async () => {
    clock.set('2025-03-13T16:30:00.000Z');
    stores = await backend.open();
    // Nobody confirms the offer: the booking it holds the slot for was never placed.
    commands = recordingCommands({ expireBooking: async () => ({ outcome: 'not_found' }) });
    runtime = createSagaRuntime({
      ledger: stores.ledger,
      sql: stores.sql,
      schema: stores.schema,
      sagas: [
        holdReleaseSaga({ commands }),
        waitlistOfferSaga({ channels: OUTBOX_ONLY, links: publicSiteLinks('https://rdv.pti.example') }),
      ],
      clock,
    });
    await runtime.start({ poll: false });
  });

  afterEach(async () => {
    await runtime.stop();
    await stores.close();
  });

  it('offers a freed slot to the waiting customer with a confirm link, and lets the hold expire it', async () => {
    const { centreId } = sampleIds;
    const calendar = calendarStream(centreId, sampleDate);
    await stores.ledger.append(
      centreStream(centreId),
      [
        {
          id: randomUUID(),
          type: 'CentreRegistered',
          data: eventSamples.CentreRegistered,
          metadata: metadata(),
        },
      ],
      'any',
    );
    await stores.ledger.append(
      calendar,
      [{ id: randomUUID(), type: 'WaitlistJoined', data: eventSamples.WaitlistJoined, metadata: metadata() }],
      'any',
    );
    // The calendar decider's offer: WaitlistOfferMade and the SlotHeld of the new hold, in one append.
    const offer = eventSamples.WaitlistOfferMade;
    await stores.ledger.append(
      calendar,
      [
        { id: randomUUID(), type: 'WaitlistOfferMade', data: offer, metadata: metadata() },
        {
          id: randomUUID(),
          type: 'SlotHeld',
          data: {
            ...eventSamples.SlotHeld,
            reservationId: offer.reservationId,
            bookingId: offer.bookingId,
            start: offer.start,
            end: '10:50',
            durationMinutes: 35,
            vehicle: { category: 'Moto', fuel: 'Essence' },
            expiresAt: offer.expiresAt,
            waitlistEntryId: offer.entryId,
          },
          metadata: metadata(),
        },
      ],
      'any',
    );
    await runtime.runUntilIdle({ until: stores.head });

    const messages = (await listOutbox(stores.sql, stores.schema)).sort((a, b) =>
      a.channel.localeCompare(b.channel),
    );
    expect(messages.map((m) => [m.template, m.channel, m.recipient])).toEqual([
      ['offre_liste_attente', 'email', 'julien.moreau@example.fr'],
      ['offre_liste_attente', 'sms', '+33698765432'],
    ]);
    const email = messages[0];
    expect(email?.subject).toBe('Un créneau s’est libéré : vendredi 14 mars 2025 à 10 h 15');
    expect(email?.body).toContain(
      'au centre Contrôle Technique Lyon Gerland, 42 avenue Jean Jaurès, 69007 Lyon',
    );
    // 16:45Z is 17:45 in Paris, the day before the slot.
    expect(email?.body).toContain('Nous vous le réservons jusqu’à 17 h 45 le 13/03/2025.');
    expect(email?.body).toContain(
      `https://rdv.pti.example/liste-attente/offre?centre=${centreId}&date=${sampleDate}&entree=${offer.entryId}&reservation=${offer.reservationId}`,
    );
    expect(commands.calls).toEqual([]);

    clock.set(offer.expiresAt);
    await runtime.runUntilIdle({ until: stores.head });
    expect(commands.calls.map((call) => [call.command, call.input])).toEqual([
      ['expireBooking', { bookingId: offer.bookingId }],
      [
        'releaseHold',
        {
          centreId,
          date: sampleDate,
          reservationId: offer.reservationId,
          bookingId: offer.bookingId,
          reason: 'expired',
        },
      ],
    ]);
    expect(await listOutbox(stores.sql, stores.schema)).toHaveLength(2);
  });
});
