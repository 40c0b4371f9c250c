/**
 * Micro-benchmark of `availableStarts` over a busy centre day: two opening intervals, four
 * inspectors (one absent in the afternoon, one blocked an hour), ~30 reservations (confirmed, held,
 * expired, one overbooked), and the 11 vehicle classes the projections recompute per calendar day.
 * Compares the current function with the original implementation kept for the equivalence test
 * (`available-starts.reference.ts`), in the same process and interleaved rounds, on an ordinary day
 * and on a daylight-saving change day. Prints CPU µs per call (process.cpuUsage, user + system).
 *
 *   node --conditions=pti-source --import tsx write-side/bench/availability-bench.ts [seconds]
 */
import { loadavg } from 'node:os';
import type { Accreditation, Fuel, VehicleCategory } from '@pti/events';
import { availableStarts } from '../src/domain/availability/available-starts.js';
import { referenceAvailableStarts } from '../src/domain/availability/available-starts.reference.js';
import type { AvailabilityProfile } from '../src/domain/availability/start-evaluation.js';
import type { CalendarState, Reservation } from '../src/domain/calendar/calendar-state.js';
import type { CentreDayConfiguration, DayInspector } from '../src/domain/centre/centre-day-configuration.js';

const seconds = Number(process.argv[2] ?? 8);

/** The 11 classes: vehicle category × fuel × control duration, as the projections group them. */
const classes: readonly AvailabilityProfile[] = (
  [
    ['VP', 'Diesel', 'CTP', 45],
    ['VP', 'Essence', 'CTP', 45],
    ['VP', 'Gaz', 'CTP', 45],
    ['VP', 'Electrique', 'CTP', 45],
    ['VP', 'Diesel', 'CV', 20],
    ['VP', 'Gaz', 'CV', 20],
    ['VU', 'Diesel', 'CTP', 45],
    ['VU', 'Diesel', 'CV', 20],
    ['Moto', 'Essence', 'CTP', 30],
    ['Moto', 'Essence', 'CV', 15],
    ['Cyclo', 'Essence', 'CTP', 30],
  ] as const
).map(([category, fuel, controlType, durationMinutes]) => ({
  category: category as VehicleCategory,
  fuel: fuel as Fuel,
  controlType,
  durationMinutes,
}));

const h = (hours: number, minutes = 0): number => hours * 60 + minutes;

function inspector(
  id: string,
  accreditations: Accreditation[],
  working: DayInspector['working'],
): DayInspector {
  return { inspectorId: id, accreditations, schedule: working, absences: [], working };
}

function centreDay(date: string, weekday: CentreDayConfiguration['weekday']): CentreDayConfiguration {
  const full = [
    { from: h(8), to: h(12) },
    { from: h(13, 30), to: h(18, 30) },
  ];
  return {
    centreId: 'centre-bench',
    date,
    timeZone: 'Europe/Paris',
    weekday,
    active: true,
    closure: null,
    opening: full,
    inspectors: [
      inspector('insp-a', ['VL'], full),
      inspector('insp-b', ['VL', 'GAZ'], full),
      inspector('insp-c', ['VL', 'L'], [{ from: h(8), to: h(12) }]),
      inspector('insp-d', ['VL', 'L', 'GAZ'], full),
    ],
    policy: {
      holdMinutes: 15,
      overbookingPercent: 10,
      minimumNoticeMinutes: 120,
      horizonDays: 60,
      cancellationCutoffHours: 24,
      freeContreVisiteDays: 60,
    },
    dailyCapacity: null,
    nominalCapacity: 40,
    overbookingAllowance: 4,
  };
}

function busyState(nowMs: number): CalendarState {
  const reservations: Reservation[] = [];
  const ids = ['insp-a', 'insp-b', 'insp-c', 'insp-d'];
  // ~30 reservations: every inspector's morning mostly full, afternoons half full.
  for (let index = 0; index < 30; index++) {
    const inspectorId = ids[index % 4] as string;
    const slot = Math.floor(index / 4);
    const from = slot < 5 ? h(8) + slot * 45 : h(13, 30) + (slot - 5) * 60;
    const status = index % 7 === 3 ? 'held' : 'confirmed';
    const expiresAtMs = index % 14 === 3 ? nowMs - 60_000 : nowMs + 600_000;
    reservations.push({
      reservationId: `r${index}`,
      bookingId: `b${index}`,
      start: '',
      end: '',
      interval: { from, to: from + 45 },
      durationMinutes: 45,
      inspectorId: index === 29 ? null : inspectorId,
      overbooked: index === 29,
      controlType: 'CTP',
      vehicle: { category: 'VP', fuel: 'Diesel' },
      status,
      expiresAt: new Date(expiresAtMs).toISOString(),
      expiresAtMs,
      waitlistEntryId: null,
    });
  }
  return {
    centreId: 'centre-bench',
    date: null,
    reservations,
    blocks: [
      {
        blockId: 'k1',
        from: '',
        to: '',
        interval: { from: h(16), to: h(17) },
        inspectorId: 'insp-d',
        label: 'training',
      },
    ],
    waitlist: [],
  };
}

type Lister = typeof availableStarts;

/** CPU µs per `availableStarts` call over the 11 classes, for `rounds` passes. */
function cpuMicrosPerCall(
  list: Lister,
  day: CentreDayConfiguration,
  state: CalendarState,
  now: Date,
  rounds: number,
) {
  let sink = 0;
  const before = process.cpuUsage();
  for (let round = 0; round < rounds; round++) {
    for (const profile of classes) sink += list(day, state, profile, now).length;
  }
  const used = process.cpuUsage(before);
  return { micros: (used.user + used.system) / (rounds * classes.length), sink };
}

function bench(label: string, day: CentreDayConfiguration, now: Date): void {
  const state = busyState(now.getTime());
  const listed = classes.map((profile) => availableStarts(day, state, profile, now).length);
  const listedRef = classes.map((profile) => referenceAvailableStarts(day, state, profile, now).length);
  if (listed.join() !== listedRef.join())
    throw new Error(`${label}: listings differ ${listed} / ${listedRef}`);
  // Warm up both, then interleave short rounds so load changes hit both alike.
  cpuMicrosPerCall(availableStarts, day, state, now, 200);
  cpuMicrosPerCall(referenceAvailableStarts, day, state, now, 200);
  const totals = { current: 0, original: 0, rounds: 0 };
  const deadline = Date.now() + (seconds * 1000) / 2;
  while (Date.now() < deadline) {
    totals.original += cpuMicrosPerCall(referenceAvailableStarts, day, state, now, 50).micros;
    totals.current += cpuMicrosPerCall(availableStarts, day, state, now, 50).micros;
    totals.rounds++;
  }
  const original = totals.original / totals.rounds;
  const current = totals.current / totals.rounds;
  console.log(
    `${label}: starts listed per class ${listed.join('/')}; original ${original.toFixed(1)} µs/call, ` +
      `current ${current.toFixed(1)} µs/call (×${(original / current).toFixed(1)}), ${totals.rounds} rounds`,
  );
}

console.log(
  `load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`,
);
bench('ordinary day 2026-06-16', centreDay('2026-06-16', 'tuesday'), new Date('2026-06-15T08:00:00Z'));
bench('DST change day 2026-03-29', centreDay('2026-03-29', 'sunday'), new Date('2026-03-28T08:00:00Z'));
console.log(
  `load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`,
);
