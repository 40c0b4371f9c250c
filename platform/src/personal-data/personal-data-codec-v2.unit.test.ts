import { randomUUID } from 'node:crypto';
import {
  DOMAIN_EVENT_TYPES,
  type DomainEvent,
  eventCatalogue,
  eventSamples,
  personalFieldPaths,
  sampleIds,
  streamNameOf,
} from '@pti/events';
import { describe, expect, it } from 'vitest';
import type { EventToAppend, RecordedEvent } from '../ledger/ledger-port.js';
import { IntegrityError } from './aes-gcm.js';
import { generateMasterKeyBase64, masterKeyFromBase64 } from './master-key.js';
import { createMemoryKeyStore } from './memory-key-store.js';
import {
  CIPHERTEXT_PREFIX,
  CIPHERTEXT_V2_REFERENCE,
  createPersonalDataCodec,
  ERASED,
  encryptFieldV1,
  isCiphertext,
  parseCiphertext,
  parseReferenceOrCiphertext,
  valueAt,
  WITHHELD,
} from './personal-data-codec.js';
import { createVault } from './vault.js';

/**
 * The v2 ciphertext format: one AES-GCM envelope per event, a reference in every other personal
 * field; v1 (one ciphertext per field) still read.
 */

const metadata = {
  tenantId: 't',
  actor: { id: 'codec-v2-test', role: 'system' as const },
  correlationId: 'c',
  causationId: null,
  occurredAt: '2025-03-01T10:00:00.000Z',
  schemaVersion: 1,
};
const event = (type: string, data: Record<string, unknown>, id: string = randomUUID()): EventToAppend => ({
  id,
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
    revision: position,
    position: { commit: position, prepare: position },
    recordedAt: new Date(),
  };
};

function setup() {
  const store = createMemoryKeyStore();
  const vault = createVault({
    store,
    masterKey: masterKeyFromBase64(generateMasterKeyBase64()),
    clock: () => new Date('2025-03-01T10:00:00.000Z'),
  });
  return { store, vault, codec: createPersonalDataCodec(vault) };
}

const placed = eventSamples.BookingPlaced;
const bookingStream = `booking-${sampleIds.bookingId}`;
const customerId = sampleIds.customerId;
const company = {
  ...placed,
  customer: {
    kind: 'company',
    name: 'Transports Girard SARL',
    siret: '73282932000074',
    contactName: 'Élodie Girard',
    email: 'flotte@transports-girard.example.fr',
    phone: '+33472000001',
    address: { street: '12 avenue Jean Jaurès', postcode: '69007', city: 'Lyon' },
  },
};

type Data = Record<string, unknown>;

/** The v2 strings of an event's stored payload, by JSON Pointer. */
function v2Fields(data: unknown, pointer = '', out = new Map<string, string>()): Map<string, string> {
  if (typeof data === 'string') {
    if (data.startsWith(CIPHERTEXT_PREFIX)) out.set(pointer, data);
  } else if (Array.isArray(data)) {
    for (const [i, child] of data.entries()) v2Fields(child, `${pointer}/${i}`, out);
  } else if (typeof data === 'object' && data !== null)
    for (const [key, child] of Object.entries(data)) v2Fields(child, `${pointer}/${key}`, out);
  return out;
}

/** The pointer of the field carrying the envelope. */
function envelopeField(data: unknown): string {
  const holders = [...v2Fields(data)].filter(([, text]) => text !== CIPHERTEXT_V2_REFERENCE);
  for (const [, text] of holders) expect(parseCiphertext(text).sealed).not.toBeNull();
  expect(holders).toHaveLength(1);
  return holders[0]?.[0] ?? '';
}

/** Sets the value at a JSON Pointer of a deep copy. */
function withValueAt(data: Data, pointer: string, value: unknown): Data {
  const copy = structuredClone(data);
  const steps = pointer.split('/').slice(1);
  let node: Data = copy;
  for (const step of steps.slice(0, -1)) node = node[step] as Data;
  node[steps[steps.length - 1] ?? ''] = value;
  return copy;
}

function valueAtPointer(data: unknown, pointer: string): unknown {
  let node = data;
  for (const step of pointer.split('/').slice(1)) node = (node as Data)[step];
  return node;
}

describe('personal-data codec, format v2', () => {
  it('round-trips every event sample of the catalogue: one envelope per event, a reference in every other field', async () => {
    const { codec } = setup();
    // The booking's later events belong to the customer its BookingPlaced names.
    await codec.encode(bookingStream, [event('BookingPlaced', placed)]);
    let withPersonal = 0;
    for (const type of DOMAIN_EVENT_TYPES) {
      const sample = eventCatalogue[type].sample as Data;
      const stream = streamNameOf({ type, data: sample } as DomainEvent);
      const [encoded] = await codec.encode(stream, [event(type, sample)]);
      if (!encoded) throw new Error(`${type}: nothing encoded`);
      const stored = JSON.parse(JSON.stringify(encoded.data)) as Data;
      const personal = personalFieldPaths(type).filter((path) => {
        const value = valueAt(sample, path);
        return value !== null && value !== undefined;
      });
      const fields = v2Fields(stored);
      expect(fields.size, type).toBe(personal.length);
      if (personal.length > 0) {
        withPersonal++;
        // Every personal value is a v2 string; exactly one carries the envelope, the first by pointer.
        for (const path of personal)
          expect(isCiphertext(valueAt(stored, path)), `${type} ${path}`).toBe(true);
        const pointers = [...fields.keys()].sort();
        expect(envelopeField(stored), type).toBe(pointers[0]);
        for (const pointer of pointers.slice(1)) expect(fields.get(pointer)).toBe('pii:v2:=');
        // Nothing in clear; every other value untouched; no property added or removed.
        const text = JSON.stringify(stored);
        for (const path of personal) {
          const plain = valueAt(sample, path);
          for (const s of typeof plain === 'string' ? [plain] : Object.values(plain as Data))
            if (typeof s === 'string') expect(text, `${type} ${path}`).not.toContain(s);
        }
        let restored = stored;
        for (const pointer of pointers)
          restored = withValueAt(restored, pointer, valueAtPointer(sample, pointer));
        expect(restored, type).toEqual(sample);
      } else {
        expect(encoded.data, type).toBe(sample);
      }
      const [decoded] = await codec.decode([recorded(stream, encoded)]);
      expect(decoded?.data, type).toEqual(sample);
    }
    // BookingPlaced, WaitlistJoined, InspectorAdded, BookingCancelled, BookingNoteAdded.
    expect(withPersonal).toBe(5);
  });

  it('keeps the payload shape: only personal values are replaced, by strings', async () => {
    const { codec } = setup();
    const [encoded] = await codec.encode(bookingStream, [event('BookingPlaced', company)]);
    const stored = encoded?.data as Data;
    const customer = stored.customer as Data;
    expect(Object.keys(customer).sort()).toEqual(Object.keys(company.customer).sort());
    expect(customer.kind).toBe('company');
    const reference = 'pii:v2:=';
    // Pointer order: /customer/address (the envelope), contactName, email, name, phone, siret, /vehicle/plate.
    expect(customer.address).toMatch(new RegExp(`^pii:v2:${customerId}:1:[A-Za-z0-9_-]+$`));
    for (const field of ['contactName', 'email', 'name', 'phone', 'siret'])
      expect(customer[field]).toBe(reference);
    expect((stored.vehicle as Data).plate).toBe(reference);
    expect((stored.vehicle as Data).category).toBe('VP');
    const envelope = parseCiphertext(String(customer.address));
    expect(envelope).toMatchObject({ version: 2, subjectId: customerId, generation: 1 });
    // One sealed JSON array of the seven values: iv 12 + tag 16 + the JSON.
    const values = [
      company.customer.address,
      company.customer.contactName,
      company.customer.email,
      company.customer.name,
      company.customer.phone,
      company.customer.siret,
      company.vehicle.plate,
    ];
    expect(envelope.sealed?.length).toBe(12 + 16 + Buffer.byteLength(JSON.stringify(values)));
    expect(parseReferenceOrCiphertext(reference)).toEqual({ version: 2, reference: 'envelope' });
    // A short reference names no key by itself.
    expect(() => parseCiphertext(reference)).toThrow(IntegrityError);
    const [decoded] = await codec.decode([
      recorded(bookingStream, event('BookingPlaced', stored, encoded?.id)),
    ]);
    expect(decoded?.data).toEqual(company);
  });

  it('reads every field of an erased subject as [effacé], and withholds another subject’s fields', async () => {
    const { codec, vault } = setup();
    const [mine] = await codec.encode(bookingStream, [event('BookingPlaced', company)]);
    const day = `calendar-${sampleIds.centreId}-2025-03-14`;
    const other = randomUUID();
    const [theirs] = await codec.encode(day, [
      event('WaitlistJoined', { ...eventSamples.WaitlistJoined, customerId: other }),
    ]);
    if (!mine || !theirs) throw new Error('nothing encoded');
    const records = [recorded(bookingStream, mine), recorded(day, theirs)];
    const forMe = await codec.decode(records, { onlySubject: customerId });
    expect(forMe[0]?.data).toEqual(company);
    expect(forMe[1]?.data.contact).toEqual({ email: WITHHELD, phone: WITHHELD });

    await vault.shred(customerId);
    const [after, bystander] = await codec.decode(records);
    expect(after?.data.customer).toEqual({
      kind: 'company',
      name: ERASED,
      siret: ERASED,
      contactName: ERASED,
      email: ERASED,
      phone: ERASED,
      address: ERASED,
    });
    expect(valueAtPointer(after?.data, '/vehicle/plate')).toBe(ERASED);
    expect(after?.data.reference).toBe(company.reference);
    expect(bystander?.data).toEqual({ ...eventSamples.WaitlistJoined, customerId: other });
  });

  it('detects tampering and moves: each fails the GCM tag or the envelope checks, never decodes', async () => {
    const { codec } = setup();
    const noAddress = { ...placed, customer: { ...placed.customer, address: null } };
    const [first, second] = await codec.encode(bookingStream, [
      event('BookingPlaced', noAddress),
      event('BookingPlaced', noAddress),
    ]);
    const [note] = await codec.encode(bookingStream, [
      event('BookingNoteAdded', eventSamples.BookingNoteAdded),
    ]);
    const [otherSubject] = await codec.encode(`booking-${randomUUID()}`, [
      event('BookingPlaced', { ...noAddress, customerId: randomUUID() }),
    ]);
    if (!first || !second || !note || !otherSubject) throw new Error('nothing encoded');
    const stored = first.data as Data;
    const holder = envelopeField(stored);
    expect(holder).toBe('/customer/email');
    const envelope = String(valueAtPointer(stored, holder));
    const reference = String(valueAtPointer(stored, '/customer/name'));
    expect(reference).toBe(CIPHERTEXT_V2_REFERENCE);
    // The long form of a reference, as events written before the short one hold it.
    const longReference = `pii:v2:${placed.customerId}:1`;
    const otherSubjectId = String((otherSubject.data as Data).customerId);
    const flip = (text: string, at: number) =>
      `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;

    const read = (data: Data, base: EventToAppend = first) =>
      codec.decode([recorded(bookingStream, { ...base, data })]);
    // Untouched, it reads.
    await expect(read(stored)).resolves.toMatchObject([{ data: noAddress }]);

    const tampered: [string, Promise<unknown>][] = [
      [
        'a character of the envelope changed',
        read(withValueAt(stored, holder, flip(envelope, envelope.length - 30))),
      ],
      ['the envelope truncated', read(withValueAt(stored, holder, envelope.slice(0, envelope.length - 4)))],
      ['a reference removed', read(withValueAt(stored, '/customer/name', null))],
      ['a reference replaced by a plain value', read(withValueAt(stored, '/customer/name', 'Mallory'))],
      [
        'a reference added to a field that held none',
        read(withValueAt(stored, '/customer/address', reference)),
      ],
      [
        'a reference added to a field that is not personal',
        read(withValueAt(stored, '/reference', reference)),
      ],
      ['the envelope replayed under another event id', read(stored, { ...first, id: randomUUID() })],
      ['the payload moved into another event of the subject', read(stored, second)],
      [
        'another event’s envelope in place of this one',
        read(withValueAt(stored, holder, valueAtPointer(second.data, holder))),
      ],
      [
        'an envelope moved into a free-text field',
        read(withValueAt(note.data as Data, '/text', envelope), note),
      ],
      [
        'a long-form reference of another generation',
        read(withValueAt(stored, '/customer/phone', longReference.replace(/:1$/, ':2'))),
      ],
      [
        'a long-form reference of another subject',
        read(withValueAt(stored, '/customer/phone', `pii:v2:${otherSubjectId}:1`)),
      ],
      ['a short reference in place of every v2 string', read(withValueAt(stored, holder, reference))],
      ['two envelopes', read(withValueAt(stored, '/customer/name', envelope))],
      ['no envelope', read(withValueAt(stored, holder, reference))],
    ];
    for (const [what, outcome] of tampered) await expect(outcome, what).rejects.toThrow(IntegrityError);
    await expect(read(stored, { ...first, id: randomUUID() })).rejects.toThrow(
      /fields \/customer\/email, \/customer\/name, \/customer\/phone, \/vehicle\/plate: authentication failed/,
    );
    await expect(read(withValueAt(stored, holder, reference))).rejects.toThrow(
      /no field carries the envelope/,
    );
    await expect(read(withValueAt(stored, '/customer/name', envelope))).rejects.toThrow(
      /several fields carry an envelope/,
    );

    // Which field carries the envelope is not bound: swapping it with a reference reads the same.
    const swapped = withValueAt(withValueAt(stored, holder, reference), '/vehicle/plate', envelope);
    await expect(read(swapped)).resolves.toMatchObject([{ data: noAddress }]);
    // Events written before the short form hold long-form references naming the envelope's key: they read.
    const longForm = withValueAt(
      withValueAt(withValueAt(stored, '/customer/name', longReference), '/customer/phone', longReference),
      '/vehicle/plate',
      longReference,
    );
    await expect(read(longForm)).resolves.toMatchObject([{ data: noAddress }]);
    await expect(read(withValueAt(stored, '/customer/phone', longReference))).resolves.toMatchObject([
      { data: noAddress },
    ]);
  });
});

describe('personal-data codec, format v1 (events already in ledgers)', () => {
  /** A BookingPlaced as the v1 codec stored it: each personal field its own ciphertext. */
  async function v1Booking(vault: ReturnType<typeof setup>['vault'], id = randomUUID()) {
    const key = await vault.encryptionKey(customerId);
    const data = structuredClone(company) as Data;
    const customer = data.customer as Data;
    for (const field of ['name', 'siret', 'contactName', 'email', 'phone', 'address'])
      customer[field] = encryptFieldV1(key, id, `/customer/${field}`, customer[field]);
    (data.vehicle as Data).plate = encryptFieldV1(key, id, '/vehicle/plate', company.vehicle.plate);
    return event('BookingPlaced', data, id);
  }

  it('still decrypts v1 ciphertexts, beside v2 events of the same subject', async () => {
    const { codec, vault } = setup();
    const legacy = await v1Booking(vault);
    const customer = legacy.data.customer as Data;
    expect(customer.email).toMatch(new RegExp(`^pii:v1:${customerId}:1:[A-Za-z0-9_-]+$`));
    expect(parseCiphertext(String(customer.email))).toMatchObject({
      version: 1,
      subjectId: customerId,
      generation: 1,
    });
    expect(isCiphertext(customer.email)).toBe(true);
    await codec.encode(bookingStream, [event('BookingPlaced', placed)]);
    const [current] = await codec.encode(bookingStream, [
      event('BookingNoteAdded', eventSamples.BookingNoteAdded),
    ]);
    if (!current) throw new Error('nothing encoded');
    const decoded = await codec.decode([recorded(bookingStream, legacy), recorded(bookingStream, current)]);
    expect(decoded.map((e) => e.data)).toEqual([company, eventSamples.BookingNoteAdded]);
    const forOther = await codec.decode([recorded(bookingStream, legacy)], { onlySubject: randomUUID() });
    expect(valueAtPointer(forOther[0]?.data, '/customer/name')).toBe(WITHHELD);
  });

  it('reads erased v1 fields as [effacé] and detects tampered or moved v1 ciphertexts', async () => {
    const { codec, vault } = setup();
    const legacy = await v1Booking(vault);
    const customer = legacy.data.customer as Data;
    const email = String(customer.email);
    const at = email.lastIndexOf(':') + 8;
    const flipped = `${email.slice(0, at)}${email[at] === 'A' ? 'B' : 'A'}${email.slice(at + 1)}`;
    const read = (data: Data, id = legacy.id) =>
      codec.decode([recorded(bookingStream, { ...legacy, id, data })]);
    await expect(read(withValueAt(legacy.data, '/customer/email', flipped))).rejects.toThrow(
      /field \/customer\/email: authentication failed/,
    );
    await expect(read(withValueAt(legacy.data, '/customer/phone', email))).rejects.toThrow(IntegrityError);
    await expect(read(legacy.data, randomUUID())).rejects.toThrow(
      /field \/customer\/name: authentication failed/,
    );

    await vault.shred(customerId);
    const [after] = await read(legacy.data);
    expect(after?.data.customer).toMatchObject({
      kind: 'company',
      name: ERASED,
      email: ERASED,
      address: ERASED,
    });
    expect(valueAtPointer(after?.data, '/vehicle/plate')).toBe(ERASED);
  });
});
