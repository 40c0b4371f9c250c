import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyStore, StoredDataKey } from './key-store.js';

/**
 * The contract every key store adapter passes. Subject ids are random per test, so a store
 * shared with other tests works.
 */
export interface KeyStoreFixture {
  /** Opens (and migrates) the store the tests share. */
  open(): Promise<KeyStore>;
}

const subject = () => randomUUID();
const key = (subjectId: string, generation = 1, masterKeyId = 'master-a'): StoredDataKey => ({
  subjectId,
  generation,
  masterKeyId,
  wrappedKey: `wrapped-${generation}-${masterKeyId}-${randomUUID()}`,
});
const day = (iso: string) => new Date(`${iso}T12:00:00.000Z`);

export function describeKeyStoreContract(name: string, fixture: KeyStoreFixture): void {
  describe(`key store contract: ${name}`, () => {
    let store: KeyStore;
    beforeAll(async () => {
      store = await fixture.open();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('stores a first key once: a second generation-1 insert loses', async () => {
      const id = subject();
      expect(await store.read(id)).toBeNull();
      const first = key(id);
      expect(await store.insert(first, day('2025-01-01'))).toBe(true);
      expect(await store.insert(key(id), day('2025-01-02'))).toBe(false);
      expect(await store.read(id)).toEqual({ status: 'live', key: first });
    });

    it('claims a first key in one call, or returns the record already there', async () => {
      const id = subject();
      const first = key(id);
      expect(await store.claim(first, day('2025-01-01'))).toEqual({ status: 'live', key: first });
      expect(await store.claim(key(id), day('2025-01-02'))).toEqual({ status: 'live', key: first });
      await store.destroy(id, new Date('2025-01-03T00:00:00.000Z'));
      expect(await store.claim(key(id), day('2025-01-04'))).toEqual({
        status: 'erased',
        subjectId: id,
        generation: 1,
        erasedAt: new Date('2025-01-03T00:00:00.000Z'),
      });
    });

    it('records the activity given to a claim in the same call, whatever the claim finds', async () => {
      const id = subject();
      const stream = `booking-${randomUUID()}`;
      const first = key(id);
      expect(
        await store.claim(first, day('2025-01-01'), [
          { subjectId: id, streamName: stream, kind: 'booking', at: day('2025-01-01') },
        ]),
      ).toEqual({ status: 'live', key: first });
      expect(await store.streamsOf(id)).toEqual([stream]);
      expect(await store.subjectsOfStream(stream)).toEqual([id]);
      expect(await store.lastActivity(id)).toEqual({ booking: day('2025-01-01') });
      // The key is already there: the claim loses, the activity is still recorded (forward only).
      expect(
        await store.claim(key(id), day('2025-01-03'), [
          { subjectId: id, streamName: `${stream}-x`, kind: 'payment', at: day('2025-01-03') },
          { subjectId: id, streamName: stream, kind: 'booking', at: day('2024-12-01') },
        ]),
      ).toEqual({ status: 'live', key: first });
      expect(await store.streamsOf(id)).toEqual([stream, `${stream}-x`]);
      expect(await store.lastActivity(id)).toEqual({
        booking: day('2025-01-01'),
        payment: day('2025-01-03'),
      });
    });

    it('claims the keys of several subjects in one call, each as a claim alone would', async () => {
      const [fresh, live, erased] = [subject(), subject(), subject()];
      const stream = `booking-${randomUUID()}`;
      const liveKey = key(live);
      await store.insert(liveKey, day('2025-01-01'));
      await store.insert(key(erased), day('2025-01-01'));
      await store.destroy(erased, day('2025-01-02'));
      const freshKey = key(fresh);
      const records = await store.claimMany(
        [
          {
            key: freshKey,
            activity: [{ subjectId: fresh, streamName: stream, kind: 'booking', at: day('2025-01-03') }],
          },
          { key: key(live) },
          {
            key: key(erased),
            activity: [
              { subjectId: erased, streamName: `${stream}-e`, kind: 'booking', at: day('2025-01-03') },
            ],
          },
        ],
        day('2025-01-03'),
      );
      expect(records).toEqual([
        { status: 'live', key: freshKey },
        { status: 'live', key: liveKey },
        { status: 'erased', subjectId: erased, generation: 1, erasedAt: day('2025-01-02') },
      ]);
      expect(await store.read(fresh)).toEqual({ status: 'live', key: freshKey });
      expect(await store.streamsOf(fresh)).toEqual([stream]);
      expect(await store.streamsOf(erased)).toEqual([`${stream}-e`]);
      expect(await store.lastActivity(erased)).toEqual({ booking: day('2025-01-03') });
      expect(await store.claimMany([], day('2025-01-04'))).toEqual([]);
    });

    it('destroys a live key into a tombstone, once', async () => {
      const id = subject();
      await store.insert(key(id), day('2025-01-01'));
      const at = new Date('2025-02-03T04:05:06.789Z');
      expect(await store.destroy(id, at)).toBe(1);
      expect(await store.read(id)).toEqual({ status: 'erased', subjectId: id, generation: 1, erasedAt: at });
      expect(await store.destroy(id, at)).toBeNull();
      expect(await store.destroy(subject(), at)).toBeNull();
    });

    it('after erasure only the next generation can be stored', async () => {
      const id = subject();
      await store.insert(key(id), day('2025-01-01'));
      await store.destroy(id, day('2025-01-02'));
      expect(await store.insert(key(id, 1), day('2025-01-03'))).toBe(false);
      expect(await store.insert(key(id, 3), day('2025-01-03'))).toBe(false);
      const second = key(id, 2);
      expect(await store.insert(second, day('2025-01-03'))).toBe(true);
      expect(await store.insert(key(id, 2), day('2025-01-03'))).toBe(false);
      expect(await store.read(id)).toEqual({ status: 'live', key: second });
      expect(await store.destroy(id, day('2025-01-04'))).toBe(2);
    });

    it('lists keys wrapped by another master key, by page, and re-wraps them only when unchanged', async () => {
      const prefix = `${randomUUID().slice(0, 8)}`;
      const ids = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`];
      const old = `old-${prefix}`;
      const fresh = `new-${prefix}`;
      for (const id of ids) await store.insert(key(id, 1, old), day('2025-01-01'));
      await store.destroy(`${prefix}-c`, day('2025-01-02'));
      const mine = async (after?: string, limit?: number) =>
        (await store.listWrappedByOther(fresh, { after, limit })).filter((k) => k.masterKeyId === old);
      expect((await mine()).map((k) => k.subjectId)).toEqual([`${prefix}-a`, `${prefix}-b`]);
      const firstPage = await store.listWrappedByOther(fresh, { after: `${prefix}-`, limit: 1 });
      expect(firstPage.map((k) => k.subjectId)).toEqual([`${prefix}-a`]);
      expect((await mine(`${prefix}-a`)).map((k) => k.subjectId)).toEqual([`${prefix}-b`]);

      const [a] = await mine();
      if (!a) throw new Error('no key listed');
      expect(await store.rewrap(a, { masterKeyId: fresh, wrappedKey: 'rewrapped' })).toBe(true);
      expect(await store.rewrap(a, { masterKeyId: fresh, wrappedKey: 'again' })).toBe(false);
      expect(await store.read(a.subjectId)).toEqual({
        status: 'live',
        key: { ...a, masterKeyId: fresh, wrappedKey: 'rewrapped' },
      });
      expect((await mine()).map((k) => k.subjectId)).toEqual([`${prefix}-b`]);
    });

    it('indexes subjects and streams, and moves last activity forward only', async () => {
      const id = subject();
      const other = subject();
      const stream = `booking-${randomUUID()}`;
      await store.recordActivity([
        { subjectId: id, streamName: stream, kind: 'booking', at: day('2025-03-01') },
        { subjectId: id, streamName: stream, kind: 'booking', at: day('2025-03-05') },
        { subjectId: id, streamName: `${stream}-x`, kind: 'payment', at: day('2025-03-02') },
        { subjectId: other, streamName: stream, kind: 'booking', at: day('2025-03-01') },
      ]);
      await store.recordActivity([
        { subjectId: id, streamName: stream, kind: 'booking', at: day('2025-01-01') },
      ]);
      expect(await store.streamsOf(id)).toEqual([stream, `${stream}-x`]);
      expect(await store.subjectsOfStream(stream)).toEqual([id, other].sort());
      expect(await store.subjectsOfStream('booking-none')).toEqual([]);
      expect(await store.lastActivity(id)).toEqual({
        booking: day('2025-03-05'),
        payment: day('2025-03-02'),
      });
      expect(await store.lastActivity(subject())).toEqual({});
      await store.recordActivity([]);
    });

    it('finds subjects whose every activity is past its cutoff, live keys only', async () => {
      const prefix = randomUUID().slice(0, 8);
      const id = (n: string) => `${prefix}-${n}`;
      const at = (n: string, kind: string, iso: string) => ({
        subjectId: id(n),
        streamName: `booking-${id(n)}`,
        kind,
        at: day(iso),
      });
      for (const n of ['old', 'recent', 'mixed', 'paid', 'staff', 'erased', 'nokey']) {
        if (n !== 'nokey') await store.insert(key(id(n)), day('2010-01-01'));
      }
      await store.destroy(id('erased'), day('2020-01-01'));
      await store.recordActivity([
        at('old', 'booking', '2015-06-01'),
        at('recent', 'booking', '2024-06-01'),
        at('mixed', 'booking', '2015-06-01'),
        at('mixed', 'booking', '2023-01-01'),
        at('paid', 'booking', '2015-06-01'),
        at('paid', 'payment', '2015-06-01'),
        at('staff', 'staff', '2001-01-01'),
        at('erased', 'booking', '2010-01-01'),
        at('nokey', 'booking', '2010-01-01'),
      ]);
      const cutoffs = { booking: day('2018-01-01'), payment: day('2015-01-01') };
      const mine = (found: readonly { subjectId: string }[]) =>
        found.map((f) => f.subjectId).filter((s) => s.startsWith(prefix));
      const all = await store.findExpired(cutoffs);
      expect(mine(all)).toEqual([id('old')]);
      expect(all.find((f) => f.subjectId === id('old'))?.lastActivity).toEqual({
        booking: day('2015-06-01'),
      });

      const later = { booking: day('2018-01-01'), payment: day('2016-01-01') };
      expect(mine(await store.findExpired(later))).toEqual([id('old'), id('paid')]);
      expect(mine(await store.findExpired(later, { after: id('old') }))).toEqual([id('paid')]);
      const firstPage = await store.findExpired(later, { after: `${prefix}-`, limit: 1 });
      expect(firstPage.map((f) => f.subjectId)).toEqual([id('old')]);
    });
  });
}
