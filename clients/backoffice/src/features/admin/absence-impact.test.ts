import { describe, expect, it } from 'vitest';
import type { DayAgenda } from '../../api/types.js';
import { agendaEntry, dayAgenda } from '../../testing/fixtures.js';
import { bookingsAffectedByAbsence } from './absence-impact.js';

describe('the bookings an absence affects', () => {
  const agendas: Record<string, DayAgenda> = {
    '2026-03-10': dayAgenda('2026-03-10'),
    '2026-03-11': {
      ...dayAgenda('2026-03-11'),
      inspectors: [
        {
          inspectorId: 'insp-1',
          name: 'Julien Moreau',
          accreditations: ['VL'],
          entries: [
            agendaEntry({ bookingId: 'c1', start: '08:00', end: '08:45' }),
            agendaEntry({ bookingId: 'c2', start: '11:00', end: '11:45', status: 'cancelled' }),
            agendaEntry({ bookingId: 'c3', start: '14:00', end: '14:45' }),
          ],
          blocks: [],
        },
      ],
    },
  };
  const api = { agenda: async (_centre: string, date: string) => agendas[date] ?? dayAgenda(date) };

  it('lists the inspector’s active appointments overlapping [from, to), day by day', async () => {
    const affected = await bookingsAffectedByAbsence(
      api,
      'c',
      'insp-1',
      '2026-03-10T08:30',
      '2026-03-11T12:00',
    );
    // b1 (08:00–08:45) overlaps the start; b2 is confirmed; b3 is checked in (no longer movable); c2 is cancelled; c3 is after the end.
    expect(affected.map((a) => `${a.date} ${a.entry.bookingId}`)).toEqual([
      '2026-03-10 b1',
      '2026-03-10 b2',
      '2026-03-11 c1',
    ]);
  });

  it('ignores other inspectors and refuses periods too long to preview', async () => {
    expect(
      await bookingsAffectedByAbsence(api, 'c', 'insp-2', '2026-03-10T00:00', '2026-03-11T00:00'),
    ).toEqual([]);
    await expect(
      bookingsAffectedByAbsence(api, 'c', 'insp-1', '2026-03-01T00:00', '2026-05-01T00:00'),
    ).rejects.toThrow(/31 jours/);
  });
});
