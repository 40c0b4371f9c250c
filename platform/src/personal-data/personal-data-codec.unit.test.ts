import { randomUUID } from 'node:crypto';
import { eventSamples, sampleIds } from '@pti/events';
import { describe, expect, it } from 'vitest';
import type { EventToAppend, RecordedEvent } from '../ledger/ledger-port.js';
import { IntegrityError } from './aes-gcm.js';
import { generateMasterKeyBase64, masterKeyFromBase64 } from './master-key.js';
import { createMemoryKeyStore } from './memory-key-store.js';
import {
  createPersonalDataCodec,
  ERASED,
  isCiphertext,
  isErased,
  PersonalDataError,
  parseCiphertext,
  WITHHELD,
} from './personal-data-codec.js';
import { DEFAULT_RETENTION_POLICY, retentionCutoffs, retentionKindOf } from './retention-policy.js';
import { createVault } from './vault.js';

const metadata = {
  tenantId: 't',
  actor: { id: 'codec-test', role: 'system' as const },
  correlationId: 'c',
  causationId: null,
  occurredAt: '2025-03-01T10:00:00.000Z',
  schemaVersion: 1,
};
const event = (type: string, data: Record<string, unknown>): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  metadata,
});
let position = 0n;
const recorded = (stream: string, e: EventToAppend): RecordedEvent => {
  position++;
  return {
    ...e,
    streamName: stream,
    revision: 1n,
    position: { commit: position, prepare: position },
    recordedAt: new Date(),
  };
};

function setup() {
  const store = createMemoryKeyStore();
  const now = new Date('2025-03-01T10:00:00.000Z');
  const vault = createVault({
    store,
    masterKey: masterKeyFromBase64(generateMasterKeyBase64()),
    clock: () => now,
  });
  return { store, vault, codec: createPersonalDataCodec(vault) };
}

const placed = eventSamples.BookingPlaced;
const bookingStream = `booking-${sampleIds.bookingId}`;

describe('personal-data codec', () => {
  it('encrypts exactly the personal fields and decrypts them back', async () => {
    const { codec } = setup();
    const before = structuredClone(placed);
    const [encoded] = await codec.encode(bookingStream, [event('BookingPlaced', placed)]);
    if (!encoded) throw new Error('nothing encoded');
    // The caller's event is left as it was.
    expect(placed).toEqual(before);
    const data = encoded.data as typeof placed;
    for (const value of [
      data.customer.name,
      data.customer.email,
      data.customer.phone,
      data.customer.address,
      data.vehicle.plate,
    ])
      expect(isCiphertext(value)).toBe(true);
    expect(data.reference).toBe(placed.reference);
    expect(data.customerId).toBe(placed.customerId);
    expect(data.vehicle.category).toBe('VP');
    // The first personal field by pointer (/customer/address) carries the envelope, naming the key.
    expect(parseCiphertext(String(data.customer.address)).subjectId).toBe(sampleIds.customerId);
    expect(data.customer.email).toBe('pii:v2:=');
    const [decoded] = await codec.decode([recorded(bookingStream, encoded)]);
    expect(decoded?.data).toEqual(placed);
  });

  it('leaves nulls, events without personal data and unknown types as they are', async () => {
    const { codec } = setup();
    const noAddress = { ...placed, customer: { ...placed.customer, address: null } };
    const [encoded] = await codec.encode(bookingStream, [event('BookingPlaced', noAddress)]);
    expect((encoded?.data as typeof placed | undefined)?.customer.address).toBeNull();
    const plain = event('SlotHeld', eventSamples.SlotHeld);
    const foreign = event('SomethingElse', { email: 'x@example.fr' });
    const out = await codec.encode(`calendar-${sampleIds.centreId}-2025-03-14`, [plain]);
    expect(out[0]).toBe(plain);
    expect((await codec.encode('misc-1', [foreign]))[0]).toBe(foreign);
    const records = [recorded('misc-1', foreign)];
    expect(await codec.decode(records)).toBe(records);
  });

  it('refuses personal data without a usable subject, and values already encrypted', async () => {
    const { codec } = setup();
    await expect(
      codec.encode(bookingStream, [event('BookingPlaced', { ...placed, customerId: 'Not An Id' })]),
    ).rejects.toSatisfy((e: unknown) => e instanceof PersonalDataError && e.code === 'invalid_data_subject');
    await expect(
      codec.encode(`booking-${randomUUID()}`, [event('BookingNoteAdded', eventSamples.BookingNoteAdded)]),
    ).rejects.toSatisfy((e: unknown) => e instanceof PersonalDataError && e.code === 'no_data_subject');
    const [encoded] = await codec.encode(bookingStream, [event('BookingPlaced', placed)]);
    await expect(
      codec.encode(bookingStream, [event('BookingPlaced', { ...(encoded?.data ?? {}) })]),
    ).rejects.toSatisfy((e: unknown) => e instanceof PersonalDataError && e.code === 'already_encrypted');
  });

  it('refuses to guess the subject of a booking stream linked to two subjects', async () => {
    const { codec } = setup();
    const stream = `booking-${randomUUID()}`;
    await codec.encode(stream, [event('BookingPlaced', placed)]);
    await codec.encode(stream, [event('BookingPlaced', { ...placed, customerId: randomUUID() })]);
    await expect(
      codec.encode(stream, [event('BookingNoteAdded', eventSamples.BookingNoteAdded)]),
    ).rejects.toSatisfy(
      (e: unknown) => e instanceof PersonalDataError && e.code === 'ambiguous_data_subject',
    );
    // Without personal values there is nothing to refuse.
    await expect(
      codec.encode(stream, [event('BookingConfirmed', eventSamples.BookingConfirmed)]),
    ).resolves.toHaveLength(1);
  });

  it('records activity per retention kind and the subject → stream link', async () => {
    const { codec, store } = setup();
    const stream = `booking-${randomUUID()}`;
    await codec.encode(stream, [
      event('BookingPlaced', placed),
      event('PaymentSucceeded', eventSamples.PaymentSucceeded),
    ]);
    expect(await store.lastActivity(sampleIds.customerId)).toEqual({
      booking: new Date('2025-03-01T10:00:00.000Z'),
      payment: new Date('2025-03-01T10:00:00.000Z'),
    });
    expect(await store.streamsOf(sampleIds.customerId)).toEqual([stream]);
    const inspector = `centre-${sampleIds.centreId}`;
    await codec.encode(inspector, [event('InspectorAdded', eventSamples.InspectorAdded)]);
    expect(await store.lastActivity(sampleIds.inspectorId)).toEqual({
      staff: new Date('2025-03-01T10:00:00.000Z'),
    });
  });

  it('reads an erased field as [effacé] and withholds other subjects on request', async () => {
    const { codec, vault } = setup();
    const other = randomUUID();
    const encoded = await codec.encode(bookingStream, [event('BookingPlaced', placed)]);
    const day = `calendar-${sampleIds.centreId}-2025-03-14`;
    const theirs = await codec.encode(day, [
      event('WaitlistJoined', { ...eventSamples.WaitlistJoined, customerId: other }),
    ]);
    const records = [...encoded, ...theirs].map((e, i) => recorded(i === 0 ? bookingStream : day, e));
    const mine = await codec.decode(records, { onlySubject: sampleIds.customerId });
    expect(mine[0]?.data).toEqual(placed);
    expect(mine[1]?.data.contact).toEqual({ email: WITHHELD, phone: WITHHELD });
    await vault.shred(sampleIds.customerId);
    const [after] = await codec.decode(records);
    const customer = after?.data.customer as Record<string, unknown>;
    expect(customer.name).toBe(ERASED);
    expect(isErased(customer.address)).toBe(true);
    expect(customer.kind).toBe('private');
    expect(isErased('Camille')).toBe(false);
  });

  it('fails loudly on a ciphertext bound to another event', async () => {
    const { codec } = setup();
    const [encoded] = await codec.encode(bookingStream, [event('BookingPlaced', placed)]);
    if (!encoded) throw new Error('nothing encoded');
    const moved = recorded(bookingStream, { ...encoded, id: randomUUID() });
    await expect(codec.decode([moved])).rejects.toThrow(IntegrityError);
    await expect(codec.decode([moved])).rejects.toThrow(
      /fields \/customer\/address, .*\/customer\/name.*: authentication failed/,
    );
  });
});

describe('retention policy', () => {
  it('follows the specification: bookings 7 years, payments 10, audit 3, staff unlimited', () => {
    const cutoffs = retentionCutoffs(DEFAULT_RETENTION_POLICY, new Date('2025-06-01T00:00:00.000Z'));
    expect(cutoffs).toEqual({
      booking: new Date('2018-06-01T00:00:00.000Z'),
      payment: new Date('2015-06-01T00:00:00.000Z'),
      audit: new Date('2022-06-01T00:00:00.000Z'),
    });
    expect(retentionCutoffs(DEFAULT_RETENTION_POLICY, new Date('2024-02-29T12:00:00.000Z')).booking).toEqual(
      new Date('2017-03-01T12:00:00.000Z'),
    );
  });

  it('classifies events', () => {
    expect(retentionKindOf('PaymentSucceeded', 'booking-1')).toBe('payment');
    expect(retentionKindOf('BookingPlaced', 'booking-1')).toBe('booking');
    expect(retentionKindOf('WaitlistJoined', 'calendar-c-2025-01-01')).toBe('booking');
    expect(retentionKindOf('InspectorAdded', 'centre-c')).toBe('staff');
  });
});

describe('withPersonalData', () => {
  it('decorates once per vault', async () => {
    const { vault } = setup();
    const { createPgliteLedger } = await import('../ledger/postgres/pglite-ledger.js');
    const { withPersonalData, withoutPersonalData } = await import('./personal-data-codec.js');
    const raw = createPgliteLedger({ dataDir: 'memory://' });
    const decorated = withPersonalData(raw, vault);
    expect(withPersonalData(decorated, vault)).toBe(decorated);
    expect(() => withPersonalData(decorated, setup().vault)).toThrow(/another vault/);
    expect(withoutPersonalData(decorated)).toBe(raw);
    expect(withoutPersonalData(raw)).toBe(raw);
    await raw.close();
  });
});
