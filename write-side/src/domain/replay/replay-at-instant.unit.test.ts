import { describe, expect, it } from 'vitest';
import { checkedIn, confirmedOnSite, placed } from '../booking/testing/booking-fixtures.js';
import { DomainError } from '../shared/domain-error.js';
import { replayAtInstant, type TimedEvent } from './replay-at-instant.js';

const stream = `booking-${placed.data.bookingId}`;
const history: TimedEvent[] = [
  { type: placed.type, data: placed.data, occurredAt: '2025-03-10T08:00:00.000Z', revision: 1n },
  {
    type: confirmedOnSite.type,
    data: confirmedOnSite.data,
    occurredAt: '2025-03-10T08:05:00.000Z',
    revision: 2n,
  },
  { type: checkedIn.type, data: checkedIn.data, occurredAt: '2025-03-14T07:58:00.000Z', revision: 3n },
];

function statusAt(instant: string): unknown {
  const r = replayAtInstant(stream, history, new Date(instant));
  return r.replayed.aggregate === 'booking' ? r.replayed.state.status : r.replayed.aggregate;
}

describe('replayAtInstant', () => {
  it('returns exactly the state the booking had between two of its events', () => {
    expect(statusAt('2025-03-10T07:59:59.999Z')).toBe('none');
    expect(statusAt('2025-03-10T08:00:00.000Z')).toBe('placed');
    expect(statusAt('2025-03-10T08:04:59.000Z')).toBe('placed');
    expect(statusAt('2025-03-12T12:00:00.000Z')).toBe('confirmed');
    expect(statusAt('2025-03-20T00:00:00.000Z')).toBe('checked_in');
    const between = replayAtInstant(stream, history, new Date('2025-03-12T12:00:00Z'));
    expect(between).toMatchObject({
      revision: 2n,
      eventsApplied: 2,
      lastEventAt: '2025-03-10T08:05:00.000Z',
    });
  });

  it('folds in revision order whatever order the events arrive in', () => {
    const shuffled = [history[2]!, history[0]!, history[1]!];
    expect(replayAtInstant(stream, shuffled, new Date('2025-03-12T12:00:00Z')).revision).toBe(2n);
  });

  it('refuses a name that is not an aggregate stream', () => {
    expect(() => replayAtInstant('nonsense', history, new Date())).toThrow(DomainError);
  });
});
