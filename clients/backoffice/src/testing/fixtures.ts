import type { AgendaEntry, DayAgenda } from '../api/types.js';
import { CENTRE } from './fake-api.js';

export function agendaEntry(
  overrides: Partial<AgendaEntry> & Pick<AgendaEntry, 'bookingId' | 'start' | 'end'>,
): AgendaEntry {
  return {
    reference: `REF-${overrides.bookingId.toUpperCase()}`,
    reservationId: `res-${overrides.bookingId}`,
    durationMinutes: 45,
    overbooked: false,
    controlType: 'CTP',
    vehicle: { plate: 'AB-123-CD', category: 'VP', fuel: 'Diesel' },
    customerName: 'Marie Curie',
    customerPhone: '+33612345678',
    status: 'confirmed',
    result: null,
    ...overrides,
  };
}

export function dayAgenda(date = '2026-03-10'): DayAgenda {
  return {
    centre: { centreId: CENTRE, name: 'Lyon Gerland' },
    date,
    inspectors: [
      {
        inspectorId: 'insp-1',
        name: 'Julien Moreau',
        accreditations: ['VL', 'L'],
        entries: [
          agendaEntry({ bookingId: 'b1', start: '08:00', end: '08:45', status: 'placed' }),
          agendaEntry({ bookingId: 'b2', start: '09:00', end: '09:45', status: 'confirmed' }),
          agendaEntry({ bookingId: 'b3', start: '10:00', end: '10:45', status: 'checked_in' }),
        ],
        blocks: [{ blockId: 'blk-lunch', from: '12:00', to: '13:00', label: 'Pause déjeuner' }],
      },
      {
        inspectorId: 'insp-2',
        name: 'Sarah Lambert',
        accreditations: ['VL'],
        entries: [],
        blocks: [],
      },
    ],
    unassigned: [agendaEntry({ bookingId: 'b4', start: '09:00', end: '09:45', overbooked: true })],
    centreBlocks: [{ blockId: 'blk-maintenance', from: '16:00', to: '17:00', label: 'Maintenance' }],
  };
}
