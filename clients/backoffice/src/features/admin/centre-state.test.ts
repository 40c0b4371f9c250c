import { describe, expect, it } from 'vitest';
import { readCentreState } from './centre-state.js';

describe('reading a centre’s folded state for the administration page', () => {
  it('keeps well-formed inspectors, schedules, absences, policy and closures', () => {
    const read = readCentreState({
      inspectors: [
        {
          inspectorId: 'i1',
          name: 'Julien Moreau',
          accreditations: ['VL', 'GAZ', 'XX'],
          week: {
            monday: [
              { from: '08:00', to: '12:00' },
              { from: '13:30', to: '18:30' },
            ],
            tuesday: 'bad',
          },
          absences: [
            { absenceId: 'a1', from: '2026-03-10T08:00', to: '2026-03-10T12:00', kind: 'training' },
            { nope: 1 },
          ],
        },
        { name: 'no id' },
      ],
      policy: { holdMinutes: 15, overbookingPercent: 10, note: 'x' },
      closures: [{ closureId: 'c1', from: '2026-12-25', to: '2026-12-26', label: 'Noël' }],
    });
    expect(read.inspectors).toHaveLength(1);
    expect(read.inspectors[0]?.accreditations).toEqual(['VL', 'GAZ']);
    expect(read.inspectors[0]?.week?.monday).toHaveLength(2);
    expect(read.inspectors[0]?.week?.tuesday).toEqual([]);
    expect(read.inspectors[0]?.absences.map((a) => a.absenceId)).toEqual(['a1']);
    expect(read.policy).toEqual({ holdMinutes: 15, overbookingPercent: 10 });
    expect(read.closures[0]?.label).toBe('Noël');
  });

  it('gives an empty picture for anything else', () => {
    expect(readCentreState(null)).toEqual({ inspectors: [], policy: {}, closures: [] });
  });
});
