import { randomBytes, randomUUID } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import {
  DOMAIN_EVENT_TYPES,
  type DomainEvent,
  type DomainEventType,
  type EventMetadata,
  eventCatalogue,
  isPersonalDataErased,
  personalFieldPaths,
  sampleIds,
  streamNameOf,
  subjectStream,
} from '@pti/events';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgPool, pgExecutor } from '../database/pg.js';
import { openPglite, pgliteExecutor } from '../database/pglite.js';
import type { SqlExecutor, TransactionalSqlExecutor } from '../database/sql-executor.js';
import type { EventToAppend, Ledger, RecordedEvent } from '../ledger/ledger-port.js';
import { createPgliteLedger } from '../ledger/postgres/pglite-ledger.js';
import { createPostgresLedger } from '../ledger/postgres/postgres-ledger.js';
import { IntegrityError } from './aes-gcm.js';
import {
  createErasureRegistry,
  ErasureIncompleteError,
  type ErasureParticipant,
  eraseSubject,
  InvalidSubjectIdError,
  type PersonalDataServices,
} from './erasure.js';
import type { KeyStore } from './key-store.js';
import { generateMasterKeyBase64, type MasterKey, masterKeyFromBase64 } from './master-key.js';
import { openVault, vaultSchemaFor } from './open-vault.js';
import {
  ERASED,
  encryptFieldV1,
  isCiphertext,
  isErased,
  PersonalDataError,
  parseCiphertext,
  valueAt,
  WITHHELD,
  withoutPersonalData,
  withPersonalData,
} from './personal-data-codec.js';
import { applyRetention, findExpiredSubjects } from './retention.js';
import { createSqlKeyStore } from './sql-key-store.js';
import { exportSubject } from './subject-export.js';
import { createVault, type Vault, VaultKeyError } from './vault.js';

/**
 * The vault end to end on the SQL ledger: PGlite always, PostgreSQL when DATABASE_URL is set. Each
 * run uses its own ledger schema (and `<schema>_vault`), dropped afterwards.
 */

interface Backend {
  readonly name: string;
  open(
    schema: string,
  ): Promise<{ ledger: Ledger; sql: TransactionalSqlExecutor; target: VaultTarget; close(): Promise<void> }>;
}
type VaultTarget = { readonly pglite: PGlite } | { readonly pool: pg.Pool };

const backends: Backend[] = [
  {
    name: 'pglite',
    async open(schema) {
      const pglite = await openPglite('memory://');
      const ledger = createPgliteLedger({ pglite, schema, pollIntervalMs: 50 });
      await ledger.migrate();
      return { ledger, sql: pgliteExecutor(pglite), target: { pglite }, close: () => pglite.close() };
    },
  },
];
const databaseUrl = process.env.DATABASE_URL;
if (databaseUrl === undefined || databaseUrl === '') {
  console.info('[personal-data int] DATABASE_URL unset: PostgreSQL backend skipped (PGlite only)');
} else {
  backends.push({
    name: 'postgres',
    async open(schema) {
      const pool = createPgPool({ url: databaseUrl, max: 8, applicationName: 'pti-vault-test' });
      const ledger = createPostgresLedger({ pool, schema, pollIntervalMs: 50 });
      await ledger.migrate();
      const sql = pgExecutor(pool);
      return {
        ledger,
        sql,
        target: { pool },
        async close() {
          await ledger.close();
          await sql.exec(
            `DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${vaultSchemaFor(schema)} CASCADE`,
          );
          await pool.end();
        },
      };
    },
  });
}

/** The executor with every statement it runs recorded (transactions included). */
function countingExecutor(inner: TransactionalSqlExecutor) {
  const statements: string[] = [];
  const record = (sqlExecutor: SqlExecutor): SqlExecutor => ({
    query: <R>(text: string, params?: readonly unknown[]) => {
      statements.push(text);
      return sqlExecutor.query<R>(text, params);
    },
    exec: (script: string) => {
      statements.push(script);
      return sqlExecutor.exec(script);
    },
  });
  const executor: TransactionalSqlExecutor = {
    ...record(inner),
    transaction: (fn, ends) => inner.transaction((tx, first) => fn(record(tx), first), ends),
  };
  return { statements, executor };
}

const metadata = (at = '2025-03-01T10:00:00.000Z'): EventMetadata => ({
  tenantId: 'tenant-vault',
  actor: { id: 'vault-test', role: 'system' },
  correlationId: randomUUID(),
  causationId: null,
  occurredAt: at,
  schemaVersion: 1,
});

interface LooseEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}
const streamOf = (event: LooseEvent): string => streamNameOf(event as DomainEvent);

/** The catalogue sample of a type with every sample id replaced by a fresh one (a fresh world). */
function freshSample(type: DomainEventType, ids: Map<string, string>): LooseEvent {
  let text = JSON.stringify(eventCatalogue[type].sample);
  const known = [...Object.values(sampleIds), 'a2b3c4d5-e6f7-4a8b-9c0d-1e2f3a4b5c6d'];
  for (const id of known) {
    let replacement = ids.get(id);
    if (replacement === undefined) {
      replacement = randomUUID();
      ids.set(id, replacement);
    }
    text = text.replaceAll(id, replacement);
  }
  return { type, data: JSON.parse(text) as Record<string, unknown> };
}

const toAppend = (event: LooseEvent, at?: string): EventToAppend => ({
  id: randomUUID(),
  type: event.type,
  data: event.data,
  metadata: metadata(at),
});

/** Every plain personal value of an event: strings, and the strings inside personal objects. */
function personalStrings(type: string, data: unknown): string[] {
  const out: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') out.push(value);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(collect);
  };
  for (const path of personalFieldPaths(type)) collect(valueAt(data, path));
  return out;
}

function companyBooking(ids: Map<string, string>): LooseEvent {
  const placed = freshSample('BookingPlaced', ids);
  return {
    type: 'BookingPlaced',
    data: {
      ...placed.data,
      customerId: randomUUID(),
      customer: {
        kind: 'company',
        name: 'Transports Girard SARL',
        siret: '73282932000074',
        contactName: 'Élodie Girard',
        email: 'flotte@transports-girard.example.fr',
        phone: '+33472000001',
        address: { street: '12 avenue Jean Jaurès', postcode: '69007', city: 'Lyon' },
      },
      vehicle: { plate: 'GH-007-KL', category: 'VU', fuel: 'Diesel' },
    },
  };
}

function toyReadModel() {
  const rows = new Map<string, { subjectId: string; at: Date }[]>();
  const calls: string[] = [];
  const participant: ErasureParticipant = {
    name: 'toy',
    async scrub(subjectId) {
      calls.push(`scrub ${subjectId}`);
      const n = rows.get(subjectId)?.length ?? 0;
      rows.delete(subjectId);
      return n;
    },
    async export(subjectId) {
      return rows.get(subjectId)?.map((r) => ({ at: r.at.toISOString() })) ?? [];
    },
    async prune(cutoffs) {
      calls.push(`prune audit<${cutoffs.audit?.toISOString()}`);
      let n = 0;
      for (const [subjectId, list] of rows) {
        const kept = list.filter((r) => cutoffs.audit === undefined || r.at >= cutoffs.audit);
        n += list.length - kept.length;
        rows.set(subjectId, kept);
      }
      return n;
    },
  };
  return { rows, calls, participant };
}

describe.each(backends)('personal data on $name', (backend) => {
  const schema = `t_pii_${randomBytes(5).toString('hex')}`;
  const vaultSchema = vaultSchemaFor(schema);
  const masterA = generateMasterKeyBase64();
  let now = new Date('2025-03-01T10:00:00.000Z');
  const clock = () => now;
  let raw: Ledger;
  let sql: TransactionalSqlExecutor;
  let target: VaultTarget;
  let closeBackend: () => Promise<void>;
  let vault: Vault;
  let store: KeyStore;
  let ledger: Ledger;
  let services: PersonalDataServices;
  const toy = toyReadModel();

  beforeAll(async () => {
    const opened = await backend.open(schema);
    raw = opened.ledger;
    sql = opened.sql;
    target = opened.target;
    closeBackend = opened.close;
    const v = await openVault({
      ...target,
      schema: vaultSchema,
      masterKey: masterA,
      dataDir: 'memory://',
      clock,
    });
    expect(v.migration?.applied.map((m) => m.version)).toEqual([1]);
    vault = v.vault;
    store = v.store;
    ledger = withPersonalData(raw, vault);
    services = { ledger, vault, participants: createErasureRegistry([toy.participant]) };
  });
  afterAll(async () => {
    await raw?.close();
    await closeBackend?.();
  });

  const storedData = async (eventId: string): Promise<Record<string, unknown>> => {
    const { rows } = await sql.query<{ data: string }>(
      `SELECT data::text AS data FROM ${schema}.events WHERE event_id = $1::uuid`,
      [eventId],
    );
    if (!rows[0]) throw new Error(`event ${eventId} not stored`);
    return JSON.parse(rows[0].data) as Record<string, unknown>;
  };
  const ledgerText = async (): Promise<string> =>
    (await sql.query<{ data: string }>(`SELECT data::text AS data FROM ${schema}.events`)).rows
      .map((r) => r.data)
      .join('\n');

  /**
   * Appends a fresh BookingPlaced whose customer has values found nowhere else (so a scan for them
   * means something), returning its ids, event and those values.
   */
  async function placeBooking(at?: string) {
    const ids = new Map<string, string>();
    const sample = freshSample('BookingPlaced', ids);
    const tag = randomBytes(4).toString('hex');
    const digits = String(Number.parseInt(tag, 16) % 100_000_000).padStart(8, '0');
    const customer = {
      kind: 'private',
      name: `Camille Martin-${tag}`,
      email: `camille.${tag}@example.fr`,
      phone: `+336${digits}`,
      address: { street: `${tag} rue des Tanneurs`, postcode: '69005', city: 'Lyon' },
    };
    const plate = `${tag.slice(0, 2).toUpperCase()}-${digits.slice(0, 3)}-ZZ`;
    const placed: LooseEvent = {
      type: 'BookingPlaced',
      data: { ...sample.data, customer, vehicle: { plate, category: 'VP', fuel: 'Diesel' } },
    };
    const event = toAppend(placed, at);
    const stream = streamOf(placed);
    await ledger.append(stream, [event], 'no_stream');
    const customerId = String(placed.data.customerId ?? '');
    const secrets = [customer.name, customer.email, customer.phone, customer.address.street, plate];
    return { ids, placed, event, stream, customerId, secrets };
  }

  it('round-trips every event type of the catalogue, every personal field as ciphertext in the ledger', async () => {
    let personal = 0;
    for (const type of DOMAIN_EVENT_TYPES) {
      const ids = new Map<string, string>();
      const event = freshSample(type, ids);
      const stream = streamOf(event);
      const appended = toAppend(event);
      if (stream.startsWith('booking-') && type !== 'BookingPlaced') {
        // A booking's later events belong to the customer its BookingPlaced names.
        await ledger.append(stream, [toAppend(freshSample('BookingPlaced', ids))], 'no_stream');
      }
      await ledger.append(stream, [appended], 'any');

      const [read] = await ledger.readStream(stream, { fromRevision: await ledger.streamRevision(stream) });
      expect(read?.id).toBe(appended.id);
      expect(read?.data, type).toEqual(event.data);

      const stored = await storedData(appended.id);
      for (const path of personalFieldPaths(type)) {
        const plain = valueAt(event.data, path);
        if (plain === undefined || plain === null) continue;
        const cipher = valueAt(stored, path);
        expect(isCiphertext(cipher), `${type} ${path} stored as ${JSON.stringify(cipher)}`).toBe(true);
        personal++;
      }
      const storedText = JSON.stringify(stored);
      for (const value of personalStrings(type, event.data))
        expect(storedText, `${type}`).not.toContain(value);
    }
    // BookingPlaced 5 (a private customer has no SIRET or contact name), WaitlistJoined 2,
    // InspectorAdded 1, BookingCancelled 1, BookingNoteAdded 1.
    expect(personal).toBe(10);
  });

  it('round-trips a company customer: name, SIRET, contact name, address object, plate', async () => {
    const placed = companyBooking(new Map());
    const event = toAppend(placed);
    const stream = streamOf(placed);
    await ledger.append(stream, [event], 'no_stream');
    const [read] = await ledger.readStream(stream);
    expect(read?.data).toEqual(placed.data);
    const stored = await storedData(event.id);
    const customer = stored.customer as Record<string, unknown>;
    for (const field of ['name', 'siret', 'contactName', 'email', 'phone', 'address'])
      expect(isCiphertext(customer[field]), field).toBe(true);
    expect(customer.kind).toBe('company');
    expect(isCiphertext((stored.vehicle as Record<string, unknown>).plate)).toBe(true);
    const text = JSON.stringify(stored);
    for (const value of personalStrings('BookingPlaced', placed.data)) expect(text).not.toContain(value);
  });

  it('writes the documented ciphertext format (v2), bound to the subject and its key generation', async () => {
    const { event, customerId, secrets } = await placeBooking();
    const stored = await storedData(event.id);
    // Pointer order: /customer/address carries the envelope, every other field a reference.
    const address = valueAt(stored, '$.customer.address');
    expect(address).toMatch(new RegExp(`^pii:v2:${customerId}:1:[A-Za-z0-9_-]+$`));
    for (const path of ['$.customer.email', '$.customer.name', '$.customer.phone', '$.vehicle.plate'])
      expect(valueAt(stored, path), path).toBe('pii:v2:=');
    const parsed = parseCiphertext(String(address));
    expect(parsed).toMatchObject({ version: 2, subjectId: customerId, generation: 1 });
    // iv 12 + tag 16 + the JSON array of the values in pointer order (address, e-mail, name, phone, plate).
    const [name, email, phone, , plate] = secrets;
    const values = [(event.data.customer as Record<string, unknown>).address, email, name, phone, plate];
    expect(parsed.sealed?.length).toBe(12 + 16 + Buffer.byteLength(JSON.stringify(values)));
    expect(await store.streamsOf(customerId)).toEqual([
      streamOf({ type: 'BookingPlaced', data: { ...event.data } }),
    ]);
  });

  it('still reads v1 events (one ciphertext per field) written before v2, and erases them', async () => {
    const ids = new Map<string, string>();
    const placed = freshSample('BookingPlaced', ids);
    const customerId = String(placed.data.customerId);
    const stream = streamOf(placed);
    const id = randomUUID();
    const key = await vault.encryptionKey(customerId);
    const legacy = structuredClone(placed.data);
    const customer = legacy.customer as Record<string, unknown>;
    for (const field of ['name', 'email', 'phone', 'address'])
      customer[field] = encryptFieldV1(key, id, `/customer/${field}`, customer[field]);
    const vehicle = legacy.vehicle as Record<string, unknown>;
    vehicle.plate = encryptFieldV1(key, id, '/vehicle/plate', vehicle.plate);
    // Written as the v1 codec did: straight to the ledger underneath.
    await raw.append(stream, [{ ...toAppend(placed), id, data: legacy }], 'no_stream');
    expect(valueAt(await storedData(id), '$.customer.email')).toMatch(/^pii:v1:/);
    const note = toAppend(freshSample('BookingNoteAdded', ids));
    await vault.recordActivity([{ subjectId: customerId, streamName: stream, kind: 'booking', at: now }]);
    await ledger.append(stream, [note], 1n);
    expect(String(valueAt(await storedData(note.id), '$.text'))).toMatch(/^pii:v2:/);
    const read = await ledger.readStream(stream);
    expect(read.map((e) => e.data)).toEqual([placed.data, note.data]);

    await vault.shred(customerId);
    const [after, noteAfter] = await ledger.readStream(stream);
    expect(after?.data.customer).toMatchObject({ name: ERASED, email: ERASED, address: ERASED });
    expect(noteAfter?.data.text).toBe(ERASED);
  });

  it('steady-state appends (same subject, same stream) run no vault SQL; activity is written once a day', async () => {
    const counted = countingExecutor(sql);
    const countedStore = createSqlKeyStore({ sql: counted.executor, schema: vaultSchema });
    let today = new Date('2025-04-01T08:00:00.000Z');
    const counting = createVault({
      store: countedStore,
      masterKey: masterKeyFromBase64(masterA),
      clock: () => today,
    });
    const writer = withPersonalData(raw, counting);
    const ids = new Map<string, string>();
    const placed = freshSample('BookingPlaced', ids);
    const stream = streamOf(placed);
    const customerId = String(placed.data.customerId);
    let revision = 0n;
    const append = async (type: DomainEventType) => {
      const event = type === 'BookingPlaced' ? placed : freshSample(type, ids);
      await writer.append(stream, [toAppend(event)], revision === 0n ? 'no_stream' : revision);
      revision++;
      const statements = [...counted.statements];
      counted.statements.length = 0;
      return statements;
    };

    // First append of a new subject: the key claimed, the link and the activity written, in one statement.
    const first = await append('BookingPlaced');
    expect(first).toHaveLength(1);
    expect(first.join('\n')).toMatch(/INSERT INTO \S+\.vault_keys/);
    expect(first.join('\n')).toMatch(/INSERT INTO \S+\.vault_subject_streams/);
    expect(first.join('\n')).toMatch(/INSERT INTO \S+\.vault_subject_activity/);
    expect(await countedStore.streamsOf(customerId)).toEqual([stream]);
    expect(await countedStore.lastActivity(customerId)).toEqual({ booking: today });
    counted.statements.length = 0;
    // The first event that does not name its subject asks who the stream belongs to, once.
    expect(await append('BookingNoteAdded')).toEqual([
      expect.stringMatching(/FROM \S+\.vault_subject_streams/),
    ]);
    // Steady state: nothing but the ledger's own statement.
    for (let i = 0; i < 10; i++) {
      for (const type of ['BookingPlaced', 'BookingNoteAdded', 'BookingConfirmed'] as const)
        expect(await append(type), `${type} #${i}`).toEqual([]);
    }
    // A new retention kind is a new fact: written once.
    expect(await append('PaymentSucceeded')).toHaveLength(1);
    expect(await append('PaymentSucceeded')).toEqual([]);
    // The next day, the last activity moves once (precise to a day), then nothing again.
    today = new Date('2025-04-02T07:30:00.000Z');
    expect(await append('BookingPlaced')).toHaveLength(1);
    expect(await append('BookingNoteAdded')).toEqual([]);
    expect(await countedStore.lastActivity(customerId)).toEqual({
      booking: new Date('2025-04-02T07:30:00.000Z'),
      payment: new Date('2025-04-01T08:00:00.000Z'),
    });
    expect((await ledger.readStream(stream)).length).toBe(Number(revision));
  });

  it('encrypts later events of a booking with the customer of its stream, and refuses personal data without a subject', async () => {
    const { ids, stream, customerId } = await placeBooking();
    const note = toAppend(freshSample('BookingNoteAdded', ids));
    await ledger.append(stream, [note], 1n);
    const stored = await storedData(note.id);
    expect(parseCiphertext(String(stored.text)).subjectId).toBe(customerId);

    const orphan = freshSample('BookingNoteAdded', new Map());
    await expect(ledger.append(streamOf(orphan), [toAppend(orphan)], 'any')).rejects.toSatisfy(
      (e: unknown) => e instanceof PersonalDataError && e.code === 'no_data_subject',
    );
    // Placed and noted in one append: the batch's subject applies.
    const ids2 = new Map<string, string>();
    const placed = freshSample('BookingPlaced', ids2);
    const batch = [toAppend(placed), toAppend(freshSample('BookingCancelled', ids2))];
    await ledger.append(streamOf(placed), batch, 'no_stream');
    expect(parseCiphertext(String((await storedData(batch[1]!.id)).comment)).subjectId).toBe(
      String(placed.data.customerId),
    );
  });

  it('hands a steady-state append to the ledger in the caller’s turn; refusals still reject', async () => {
    let inTurn = false;
    const turns: boolean[] = [];
    const spy: Ledger = {
      ...raw,
      append: (stream, events, expected) => {
        turns.push(inTurn);
        return raw.append(stream, events, expected);
      },
    };
    const decorated = withPersonalData(spy, vault);
    const ids = new Map<string, string>();
    const placed = freshSample('BookingPlaced', ids);
    const stream = streamOf(placed);
    const appendInTurn = (event: LooseEvent, expected: bigint | 'no_stream') => {
      inTurn = true;
      try {
        return decorated.append(stream, [toAppend(event)], expected);
      } finally {
        inTurn = false;
      }
    };
    // A new subject: its key is claimed first (a promise), then the append.
    await appendInTurn(placed, 'no_stream');
    // Key cached, activity recorded: no promise in between.
    await appendInTurn(placed, 1n);
    // An event that does not name its subject: the stream's subjects are read once, then cached.
    await appendInTurn(freshSample('BookingConfirmed', ids), 2n);
    await appendInTurn(freshSample('BookingNoteAdded', ids), 3n);
    expect(turns).toEqual([false, true, false, true]);
    const refused = appendInTurn({ ...placed, data: { ...placed.data, customerId: 'Not An Id' } }, 4n);
    await expect(refused).rejects.toSatisfy(
      (e: unknown) => e instanceof PersonalDataError && e.code === 'invalid_data_subject',
    );
    expect(turns).toHaveLength(4);
    expect((await ledger.readStream(stream)).map((e) => e.type)).toEqual([
      'BookingPlaced',
      'BookingPlaced',
      'BookingConfirmed',
      'BookingNoteAdded',
    ]);
  });

  it('erasure: no value left in clear or decryptable, replay and subscription still work and read [effacé]', async () => {
    const { ids, stream, customerId, placed, secrets: placedSecrets } = await placeBooking();
    const sample = freshSample('BookingCancelled', ids);
    const comment = `Absent ce jour-là ${randomUUID()}`;
    const cancelled = { ...sample, data: { ...sample.data, comment } };
    await ledger.append(stream, [toAppend(cancelled)], 1n);
    const bystander = await placeBooking();
    toy.rows.set(customerId, [{ subjectId: customerId, at: now }]);
    const secrets = [...placedSecrets, comment];
    // Before: nowhere in clear either, but readable through the vault.
    expect((await ledger.readStream(stream))[1]?.data.comment).toBe(comment);

    const report = await eraseSubject(services, customerId, {
      actor: { id: 'admin-1', role: 'admin_reseau' },
      tenantId: 'tenant-vault',
    });
    expect(report).toMatchObject({
      subjectId: customerId,
      keyGeneration: 1,
      reason: 'subject_request',
      participants: [{ name: 'toy', rows: 1 }],
      failures: [],
    });
    expect(toy.rows.has(customerId)).toBe(false);

    // A raw scan of the ledger finds none of the values; the subject's ciphertexts stay, keyless.
    const text = await ledgerText();
    for (const secret of secrets) expect(text).not.toContain(secret);
    const { rows: keyRows } = await sql.query<{ wrapped_key: string | null; master_key_id: string | null }>(
      `SELECT wrapped_key, master_key_id FROM ${vaultSchema}.vault_keys WHERE subject_id = $1`,
      [customerId],
    );
    expect(keyRows).toEqual([{ wrapped_key: null, master_key_id: null }]);
    expect(await vault.decryptionKey(customerId, 1)).toBeNull();
    // Not even a fresh process with the master key can read them.
    const fresh = createVault({ store, masterKey: masterKeyFromBase64(masterA) });
    expect(await fresh.decryptionKey(customerId, 1)).toBeNull();

    // Replay: readStream, readAll and subscribe succeed and show erased values.
    const replay = await ledger.readStream(stream);
    expect(replay.map((e) => e.type)).toEqual(['BookingPlaced', 'BookingCancelled']);
    const customer = replay[0]?.data.customer as Record<string, unknown>;
    expect(customer).toMatchObject({
      kind: 'private',
      name: ERASED,
      email: ERASED,
      phone: ERASED,
      address: ERASED,
    });
    expect(isErased((replay[0]?.data.vehicle as Record<string, unknown> | undefined)?.plate)).toBe(true);
    expect(replay[0]?.data.reference).toBe(placed.data.reference);
    expect(replay[1]?.data.comment).toBe(ERASED);
    const viaReadAll = (await ledger.readAll({ filter: { streamPrefixes: [stream] }, limit: 10 })).events;
    expect(viaReadAll.map((e) => e.data)).toEqual(replay.map((e) => e.data));
    const seen: RecordedEvent[] = [];
    const sub = ledger.subscribe(
      { filter: { streamPrefixes: [stream, bystander.stream, subjectStream(customerId)] } },
      { handle: async (events) => void seen.push(...events) },
    );
    await expect.poll(() => seen.length, { timeout: 5_000 }).toBe(4);
    await sub.stop();
    expect(seen.find((e) => e.streamName === bystander.stream)?.data).toEqual(bystander.placed.data);

    // The erasure is recorded, without personal data.
    const [erased] = await ledger.readStream(subjectStream(customerId));
    expect(erased?.type).toBe('PersonalDataErased');
    expect(isPersonalDataErased(erased?.data)).toBe(true);
    expect(erased?.data).toMatchObject({
      subjectId: customerId,
      keyGeneration: 1,
      requestedBy: { role: 'admin_reseau' },
    });

    // Erasing again destroys nothing more but records and re-scrubs.
    const again = await eraseSubject(services, customerId, {
      actor: { id: 'admin-1', role: 'admin_reseau' },
      tenantId: 't',
    });
    expect(again.keyGeneration).toBeNull();
    expect(toy.calls.filter((c) => c === `scrub ${customerId}`)).toHaveLength(2);

    // New personal data about the subject gets a new key generation; the old data stays erased.
    const note = toAppend(freshSample('BookingNoteAdded', ids));
    await ledger.append(stream, [note], 2n);
    expect(parseCiphertext(String((await storedData(note.id)).text)).generation).toBe(2);
    const after = await ledger.readStream(stream);
    expect(after[0]?.data.customer).toMatchObject({ name: ERASED });
    expect(after[2]?.data.text).toBe(String(freshSample('BookingNoteAdded', ids).data.text));
  });

  it('detects tampered and moved ciphertexts, swapped data keys and a wrong master key (GCM tag)', async () => {
    const first = await placeBooking();
    const second = await placeBooking();
    const stored = await storedData(first.event.id);
    const setStored = async (eventId: string, data: unknown) =>
      sql.query(`UPDATE ${schema}.events SET data = $1::jsonb WHERE event_id = $2::uuid`, [
        JSON.stringify(data),
        eventId,
      ]);
    const customer = stored.customer as Record<string, string>;
    const email = String(customer.email);

    const address = String(customer.address);
    expect(parseCiphertext(address).sealed).not.toBeNull();

    // One character of the envelope changed.
    const at = address.lastIndexOf(':') + 8;
    const flipped = `${address.slice(0, at)}${address[at] === 'A' ? 'B' : 'A'}${address.slice(at + 1)}`;
    await setStored(first.event.id, { ...stored, customer: { ...customer, address: flipped } });
    await expect(ledger.readStream(first.stream)).rejects.toThrow(IntegrityError);
    await expect(ledger.readStream(first.stream)).rejects.toThrow(
      /fields \/customer\/address, .*\/customer\/email.*: authentication failed/,
    );

    // A reference removed from the e-mail field (a plain value put in its place).
    await setStored(first.event.id, { ...stored, customer: { ...customer, email: 'x@example.fr' } });
    await expect(ledger.readStream(first.stream)).rejects.toThrow(IntegrityError);
    // The e-mail's reference copied into a field that is not personal.
    await setStored(first.event.id, { ...stored, customer: { ...customer, kind: email } });
    await expect(ledger.readStream(first.stream)).rejects.toThrow(IntegrityError);

    // The envelope moved into another event of the same subject.
    const other = toAppend(freshSample('BookingNoteAdded', first.ids));
    await ledger.append(first.stream, [other], 1n);
    const otherStored = await storedData(other.id);
    await setStored(first.event.id, stored);
    await setStored(other.id, { ...otherStored, text: customer.address });
    await expect(ledger.readStream(first.stream)).rejects.toThrow(IntegrityError);
    await setStored(other.id, otherStored);
    await expect(ledger.readStream(first.stream)).resolves.toHaveLength(2);

    // Malformed and unknown-version ciphertexts.
    await setStored(first.event.id, { ...stored, customer: { ...customer, email: 'pii:v9:abc:1:xyz' } });
    await expect(ledger.readStream(first.stream)).rejects.toThrow(/unsupported ciphertext version 9/);
    await setStored(first.event.id, stored);

    // Two subjects' wrapped keys swapped in the key table.
    const keyOf = async (subjectId: string) =>
      (
        await sql.query<{ wrapped_key: string }>(
          `SELECT wrapped_key FROM ${vaultSchema}.vault_keys WHERE subject_id = $1`,
          [subjectId],
        )
      ).rows[0]?.wrapped_key;
    const [k1, k2] = [await keyOf(first.customerId), await keyOf(second.customerId)];
    const setKey = (subjectId: string, wrapped: string | undefined) =>
      sql.query(`UPDATE ${vaultSchema}.vault_keys SET wrapped_key = $1 WHERE subject_id = $2`, [
        wrapped,
        subjectId,
      ]);
    await setKey(first.customerId, k2);
    await setKey(second.customerId, k1);
    const cold = createVault({ store, masterKey: masterKeyFromBase64(masterA) });
    await expect(withPersonalData(raw, cold).readStream(first.stream)).rejects.toThrow(
      /data key of subject .* authentication failed/,
    );
    await setKey(first.customerId, k1);
    await setKey(second.customerId, k2);

    // A vault started with another master key refuses to unwrap, naming both key ids.
    const wrong = createVault({ store, masterKey: masterKeyFromBase64(generateMasterKeyBase64()) });
    await expect(withPersonalData(raw, wrong).readStream(first.stream)).rejects.toThrow(VaultKeyError);
    // ...and one whose key id matches but whose key does not fails the tag.
    const impostor: MasterKey = { id: vault.masterKeyId, key: randomBytes(32) };
    await expect(
      withPersonalData(raw, createVault({ store, masterKey: impostor })).readStream(first.stream),
    ).rejects.toThrow(IntegrityError);
    // Untouched data still reads.
    expect((await ledger.readStream(first.stream))[0]?.data).toEqual(first.placed.data);
  });

  it('exports everything about a subject, decrypted for them only', async () => {
    const { ids, stream, customerId, placed } = await placeBooking();
    await ledger.append(stream, [toAppend(freshSample('PaymentSucceeded', ids))], 1n);
    // A shared calendar day with this customer's waitlist entry and someone else's.
    const mine = freshSample('WaitlistJoined', ids);
    const theirs = freshSample(
      'WaitlistJoined',
      new Map([...ids].filter(([k]) => k !== 'a2b3c4d5-e6f7-4a8b-9c0d-1e2f3a4b5c6d')),
    );
    const day = streamOf(mine);
    const mineEvent = toAppend({ ...mine, data: { ...mine.data, customerId } });
    const theirsContact = { email: `dominique.${randomBytes(3).toString('hex')}@example.fr`, phone: null };
    const theirsEvent = toAppend({
      ...theirs,
      data: { ...theirs.data, entryId: randomUUID(), contact: theirsContact },
    });
    await ledger.append(day, [mineEvent, theirsEvent, toAppend(freshSample('SlotHeld', ids))], 'any');
    toy.rows.set(customerId, [{ subjectId: customerId, at: now }]);

    const exported = await exportSubject(services, customerId);
    expect(exported.key).toEqual({ status: 'live', generation: 1 });
    expect(exported.lastActivity).toEqual({ booking: now.toISOString(), payment: now.toISOString() });
    expect(exported.events.map((e) => `${e.stream === stream ? 'booking' : 'day'} ${e.type}`)).toEqual([
      'booking BookingPlaced',
      'booking PaymentSucceeded',
      'day WaitlistJoined',
    ]);
    expect(exported.events[0]?.data).toEqual(placed.data);
    expect(exported.events[2]?.data.contact).toEqual(mine.data.contact);
    expect(JSON.stringify(exported)).not.toContain(theirsContact.email);
    expect(exported.readModels).toEqual({ toy: [{ at: now.toISOString() }] });

    // The calendar day read through the vault for everyone shows both; the export never does.
    const theirsRead = (await ledger.readStream(day)).find((e) => e.id === theirsEvent.id);
    expect(theirsRead?.data.contact).toEqual(theirsContact);
    expect(WITHHELD).toBe('[autre personne]');
    // Reading through the raw ledger for the export keeps the same result.
    expect(
      (await exportSubject({ ...services, ledger: withoutPersonalData(ledger) }, customerId)).events,
    ).toEqual(exported.events);

    await eraseSubject(services, customerId, { actor: { id: 'a', role: 'admin_reseau' }, tenantId: 't' });
    const afterErasure = await exportSubject(services, customerId);
    expect(afterErasure.key).toMatchObject({ status: 'erased', generation: 1 });
    expect(afterErasure.events.map((e) => e.type)).toEqual([
      'BookingPlaced',
      'PaymentSucceeded',
      'WaitlistJoined',
      'PersonalDataErased',
    ]);
    expect(afterErasure.events[0]?.data.customer).toMatchObject({ name: ERASED });
    expect(afterErasure.readModels).toEqual({ toy: [] });
  });

  it('reports a participant that failed to scrub; running the erasure again completes it', async () => {
    const { customerId } = await placeBooking();
    let offline = true;
    const flaky: ErasureParticipant = {
      name: 'flaky',
      async scrub() {
        if (offline) throw new Error('read model offline');
        return 2;
      },
    };
    const registry = createErasureRegistry([flaky, toy.participant]);
    expect(() => registry.register(flaky)).toThrow(/already registered/);
    const remove = registry.register({ name: 'late', scrub: async () => 0 });
    remove();
    expect(registry.list().map((p) => p.name)).toEqual(['flaky', 'toy']);
    const withFlaky = { ...services, participants: registry };
    const order = { actor: { id: 'admin-2', role: 'admin_reseau' as const }, tenantId: 't' };

    const failed = await eraseSubject(withFlaky, customerId, order).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ErasureIncompleteError);
    if (!(failed instanceof ErasureIncompleteError)) throw failed;
    expect(failed.report).toMatchObject({
      keyGeneration: 1,
      participants: [{ name: 'toy', rows: 0 }],
      failures: [{ name: 'flaky', error: 'read model offline' }],
    });
    // The key is gone all the same.
    expect(await vault.decryptionKey(customerId, 1)).toBeNull();
    offline = false;
    const done = await eraseSubject(withFlaky, customerId, order);
    expect(done.participants).toEqual([
      { name: 'flaky', rows: 2 },
      { name: 'toy', rows: 0 },
    ]);
    await expect(eraseSubject(withFlaky, 'Not An Id', order)).rejects.toThrow(InvalidSubjectIdError);
  });

  it('retention: the dry run lists exactly the subjects past their limits; applying shreds them and prunes', async () => {
    const at = async (iso: string, work: () => Promise<void>) => {
      const saved = now;
      now = new Date(iso);
      try {
        await work();
      } finally {
        now = saved;
      }
    };
    const subjects: Record<string, string> = {};
    const booking = async (name: string, placedAt: string, paidAt?: string) => {
      await at(placedAt, async () => {
        const b = await placeBooking(placedAt);
        subjects[name] = b.customerId;
        if (paidAt)
          await at(paidAt, () =>
            ledger
              .append(b.stream, [toAppend(freshSample('PaymentSucceeded', b.ids), paidAt)], 1n)
              .then(() => undefined),
          );
      });
    };
    await booking('old', '2015-01-10T09:00:00.000Z');
    await booking('paidLater', '2015-01-10T09:00:00.000Z', '2016-02-01T09:00:00.000Z');
    await booking('paidEarly', '2014-01-10T09:00:00.000Z', '2014-03-01T09:00:00.000Z');
    await booking('recent', '2020-05-05T09:00:00.000Z');
    await booking('erasedOld', '2015-01-10T09:00:00.000Z');
    await booking('oldThenRecent', '2012-01-10T09:00:00.000Z');
    await at('2019-01-01T09:00:00.000Z', async () => {
      const b = await placeBooking();
      // The same customer books again later (another booking stream, same subject).
      const again = freshSample('BookingPlaced', new Map());
      await ledger.append(
        streamOf(again),
        [toAppend({ ...again, data: { ...again.data, customerId: subjects.oldThenRecent } })],
        'no_stream',
      );
      subjects.other2019 = b.customerId;
    });
    await at('2010-01-01T09:00:00.000Z', async () => {
      const inspector = freshSample('InspectorAdded', new Map());
      await ledger.append(streamOf(inspector), [toAppend(inspector)], 'any');
    });
    await eraseSubject(services, subjects.erasedOld ?? '', {
      actor: { id: 'a', role: 'admin_reseau' },
      tenantId: 't',
    });

    const runAt = new Date('2025-06-01T00:00:00.000Z');
    // Booking cutoff 2018-06-01, payment cutoff 2015-06-01.
    const expected = [subjects.old, subjects.paidEarly].sort();
    const dry = await applyRetention(services, { dryRun: true, now: runAt, tenantId: 't' });
    expect(dry.cutoffs).toEqual({
      booking: '2018-06-01T00:00:00.000Z',
      payment: '2015-06-01T00:00:00.000Z',
      audit: '2022-06-01T00:00:00.000Z',
    });
    expect(dry.candidates.map((c) => c.subjectId)).toEqual(expected);
    expect(dry.candidates.find((c) => c.subjectId === subjects.paidEarly)?.lastActivity).toEqual({
      booking: '2014-01-10T09:00:00.000Z',
      payment: '2014-03-01T09:00:00.000Z',
    });
    expect(dry.erased).toEqual([]);
    expect(await vault.decryptionKey(subjects.old ?? '', 1)).not.toBeNull();

    // Two years later the 2019 customers are past too.
    expect(
      (await findExpiredSubjects(services, undefined, new Date('2026-06-01T00:00:00.000Z'))).map(
        (s) => s.subjectId,
      ),
    ).toEqual([...expected, subjects.paidLater, subjects.oldThenRecent, subjects.other2019].sort());

    const progress: string[] = [];
    toy.calls.length = 0;
    const applied = await applyRetention(services, {
      dryRun: false,
      now: runAt,
      tenantId: 't',
      onProgress: (p) => progress.push(`${p.done}/${p.total} ${p.subjectId}`),
    });
    expect(applied.erased.map((e) => [e.subjectId, e.reason, e.keyGeneration])).toEqual(
      expected.map((s) => [s, 'retention_expired', 1]),
    );
    expect(progress).toEqual(expected.map((s, i) => `${i + 1}/2 ${s}`));
    expect(toy.calls).toEqual([...expected.map((s) => `scrub ${s}`), 'prune audit<2022-06-01T00:00:00.000Z']);
    for (const s of expected) expect(await vault.decryptionKey(s ?? '', 1)).toBeNull();
    expect(await vault.decryptionKey(subjects.paidLater ?? '', 1)).not.toBeNull();
    expect((await applyRetention(services, { dryRun: true, now: runAt, tenantId: 't' })).candidates).toEqual(
      [],
    );
  });

  it('master key rotation re-wraps every data key without touching events', async () => {
    const before = await placeBooking();
    const eventsBefore = await ledgerText();
    const masterB = masterKeyFromBase64(generateMasterKeyBase64());
    const a = masterKeyFromBase64(masterA);
    const rotating = createVault({ store, masterKey: masterB, previousMasterKeys: [a] });
    const progress: number[] = [];
    const report = await rotating.rotateMasterKey({ batchSize: 3, onProgress: (n) => progress.push(n) });
    expect(report.rewrapped).toBeGreaterThan(5);
    expect(report.unknownMasterKey).toEqual([]);
    expect(progress.at(-1)).toBe(report.rewrapped);
    const { rows } = await sql.query<{ master_key_id: string; n: number }>(
      `SELECT master_key_id, count(*)::int AS n FROM ${vaultSchema}.vault_keys WHERE wrapped_key IS NOT NULL GROUP BY 1`,
    );
    expect(rows).toEqual([{ master_key_id: masterB.id, n: report.rewrapped }]);
    expect(await ledgerText()).toBe(eventsBefore);

    // Only the new master key is needed now; the old one alone no longer opens anything.
    const onlyB = withPersonalData(raw, createVault({ store, masterKey: masterB }));
    expect((await onlyB.readStream(before.stream))[0]?.data).toEqual(before.placed.data);
    const onlyA = withPersonalData(raw, createVault({ store, masterKey: a }));
    await expect(onlyA.readStream(before.stream)).rejects.toThrow(VaultKeyError);
    // New keys are wrapped by B at once.
    const b2 = createVault({ store, masterKey: masterB, clock });
    const next = freshSample('BookingPlaced', new Map());
    await withPersonalData(raw, b2).append(streamOf(next), [toAppend(next)], 'no_stream');
    expect(await store.read(String(next.data.customerId))).toMatchObject({
      status: 'live',
      key: { masterKeyId: masterB.id },
    });

    // Back to A (so the other vaults of this suite keep working).
    const back = await createVault({ store, masterKey: a, previousMasterKeys: [masterB] }).rotateMasterKey();
    expect(back.rewrapped).toBe(report.rewrapped + 1);
  });
});
