import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openProjectionSpec,
  type ProjectionSpec,
  type SpecEvent,
} from '../runtime/testing/projection-spec.js';
import { centreEvents } from '../testing/centre-fixtures.js';
import { decodeStarts } from './availability-compute.js';
import type { CachedDay, CachedFirstDays } from './availability-projector.js';
import { availabilityProjector, dayKey, firstKey } from './availability-projector.js';
import { profileClasses } from './profile-classes.js';

const centreId = 'lyon-gerland';
const inspectorId = 'insp-1';
// Monday 2 March 2026, 07:00 in Paris: the roll date is 2026-03-02; horizon 6 days → 2 to 8 March.
const now = new Date('2026-03-02T06:00:00Z');
const setup = centreEvents({ centreId, inspectorId, horizonDays: 6 });
const quarterHours = (from: string, count: number) =>
  Array.from({ length: count }, (_, n) => {
    const minutes = Number(from.slice(0, 2)) * 60 + Number(from.slice(3)) + n * 15;
    return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  });

const held = (reservationId: string, start: string, end: string): SpecEvent => ({
  type: 'SlotHeld',
  data: {
    centreId,
    date: '2026-03-03',
    reservationId,
    bookingId: `b-${reservationId}`,
    start,
    end,
    durationMinutes: 45,
    inspectorId,
    overbooked: false,
    controlType: 'CTP',
    vehicle: { category: 'VP', fuel: 'Diesel' },
    expiresAt: '2026-03-02T06:15:00.000Z',
    waitlistEntryId: null,
  },
});

describe('availability read model', () => {
  let spec: ProjectionSpec;
  beforeAll(async () => {
    spec = await openProjectionSpec(availabilityProjector, { now });
  });
  afterAll(() => spec.close());

  it('fills every day of the horizon from the configuration, for every profile class', async () => {
    const run = await spec.given(setup);
    const rows = await run.rows('availability_days', ['day', 'class', 'free_count']);
    const days = [...new Set(rows.map((row) => row.day))];
    expect(days).toEqual([
      '2026-03-02',
      '2026-03-03',
      '2026-03-04',
      '2026-03-05',
      '2026-03-06',
      '2026-03-07',
      '2026-03-08',
    ]);
    expect(rows).toHaveLength(7 * profileClasses().length);
    const vl45 = (day: string) => rows.find((row) => row.day === day && row.class === 'vl-45')?.free_count;
    // 08:00..11:15 on the quarter hour: 14 starts; Saturday and Sunday closed.
    expect(vl45('2026-03-03')).toBe(14);
    expect(vl45('2026-03-07')).toBe(0);
    // A VL-only inspector takes no motorcycle and no LPG car.
    expect(
      rows
        .filter((row) => row.class === 'l-35' || row.class === 'gaz_vl-60')
        .every((row) => row.free_count === 0),
    ).toBe(true);

    const cached = JSON.parse(
      (await run.cache.get(dayKey(centreId, '2026-03-03', 'vl-45'))) ?? 'null',
    ) as CachedDay;
    expect(cached.starts).toEqual(quarterHours('08:00', 14));
    expect(decodeStarts('2026-03-03', cached.timeZone, cached.durationMinutes, cached.starts)[0]).toEqual({
      start: '08:00',
      end: '08:45',
      instant: '2026-03-03T07:00:00.000Z',
      overbooked: false,
    });
    expect(cached).toMatchObject({
      tenantId: 'tenant-a',
      minimumNoticeMinutes: 120,
      horizonDays: 6,
      active: true,
    });
    const first = JSON.parse((await run.cache.get(firstKey(centreId, 'vl-45'))) ?? 'null') as CachedFirstDays;
    expect(first.days.map((d) => d.day)).toEqual(['2026-03-02', '2026-03-03', '2026-03-04']);
  });

  it('given a hold then the overlapping starts go, and come back when it is released', async () => {
    const run = await spec.given([...setup, held('r1', '09:30', '10:15')]);
    const startsOn = async () =>
      ((await run.rows('availability_days', ['day', 'class', 'starts'])).find(
        (row) => row.day === '2026-03-03' && row.class === 'vl-45',
      )?.starts ?? []) as string[];
    expect(await startsOn()).toEqual([
      '08:00',
      '08:15',
      '08:30',
      '08:45',
      '10:15',
      '10:30',
      '10:45',
      '11:00',
      '11:15',
    ]);
    // The projection has no clock: a hold counts until its release is recorded, even past expiresAt.
    await run.when([
      {
        type: 'HoldReleased',
        data: { centreId, date: '2026-03-03', reservationId: 'r1', bookingId: 'b-r1', reason: 'expired' },
      },
    ]);
    expect(await startsOn()).toHaveLength(14);
    const cached = JSON.parse(
      (await run.cache.get(dayKey(centreId, '2026-03-03', 'vl-45'))) ?? 'null',
    ) as CachedDay;
    expect(cached.starts).toHaveLength(14);
  });

  it('recomputes the whole window when the configuration changes (deactivation, shorter horizon)', async () => {
    const run = await spec.given([
      ...setup,
      { type: 'CentreDeactivated', data: { centreId, reason: 'Travaux' } },
    ]);
    const rows = await run.rows('availability_days', ['active', 'free_count']);
    expect(rows.every((row) => row.active === false && row.free_count === 0)).toBe(true);
    const first = JSON.parse((await run.cache.get(firstKey(centreId, 'vl-45'))) ?? 'null') as CachedFirstDays;
    expect(first.days).toEqual([]);

    await run.when([
      { type: 'CentreReactivated', data: { centreId } },
      {
        type: 'BookingPolicySet',
        data: {
          centreId,
          holdMinutes: 15,
          overbookingPercent: 0,
          minimumNoticeMinutes: 120,
          horizonDays: 2,
          cancellationCutoffHours: 24,
          freeContreVisiteDays: 0,
        },
      },
    ]);
    const days = [...new Set((await run.rows('availability_days', ['day'])).map((row) => row.day))];
    expect(days).toEqual(['2026-03-02', '2026-03-03', '2026-03-04']);
    expect(await run.cache.get(dayKey(centreId, '2026-03-05', 'vl-45'))).toBeNull();
  });

  it('keeps calendar days beyond the horizon and rolls them in when the date changes', async () => {
    const run = await spec.given([
      ...setup,
      {
        ...held('r2', '08:00', '08:45'),
        data: { ...held('r2', '08:00', '08:45').data, date: '2026-03-09' },
      } as SpecEvent,
    ]);
    expect((await run.rows('availability_days', ['day'])).some((row) => row.day === '2026-03-09')).toBe(
      false,
    );
    expect(await run.rows('availability_calendars', ['centre_id', 'day'])).toEqual([
      { centre_id: centreId, day: '2026-03-09' },
    ]);

    await run.refresh(new Date('2026-03-03T05:00:00Z'));
    const vl45 = (await run.rows('availability_days', ['day', 'class', 'free_count'])).filter(
      (row) => row.class === 'vl-45',
    );
    expect(vl45.map((row) => row.day)).toEqual([
      '2026-03-03',
      '2026-03-04',
      '2026-03-05',
      '2026-03-06',
      '2026-03-07',
      '2026-03-08',
      '2026-03-09',
    ]);
    // Monday 9 March: 14 starts minus the three overlapping the 08:00 hold.
    expect(vl45.at(-1)?.free_count).toBe(11);
    const first = JSON.parse((await run.cache.get(firstKey(centreId, 'vl-45'))) ?? 'null') as CachedFirstDays;
    expect(first.days[0]?.day).toBe('2026-03-03');
  });
});
