// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildWeek } from '../domain/week.js';
import { HoldCountdown } from './HoldCountdown.js';
import { PlateField } from './PlateField.js';
import { WeekCalendar } from './WeekCalendar.js';

afterEach(cleanup);

function ControlledPlate() {
  const [value, setValue] = useState('');
  return <PlateField id="plate" value={value} onChange={setValue} />;
}

describe('PlateField', () => {
  it('validates the plate live and ties the message to the input', async () => {
    const user = userEvent.setup();
    render(<ControlledPlate />);
    const input = screen.getByLabelText('Immatriculation');
    await user.type(input, 'ab123cd');
    expect(screen.getByText('Plaque SIV reconnue : AB-123-CD')).toBeTruthy();
    expect(input.getAttribute('aria-invalid')).toBe('false');
    await user.clear(input);
    await user.type(input, 'AO123CD');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const message = screen.getByText(/Plaque SIV invalide/);
    expect(input.getAttribute('aria-describedby')).toContain(message.id);
  });

  it('flags an incomplete plate only once the field is left', async () => {
    const user = userEvent.setup();
    render(<ControlledPlate />);
    const input = screen.getByLabelText('Immatriculation');
    await user.type(input, 'AB-12');
    expect(input.getAttribute('aria-invalid')).toBe('false');
    fireEvent.blur(input);
    expect(input.getAttribute('aria-invalid')).toBe('true');
  });
});

describe('WeekCalendar', () => {
  const days = buildWeek(
    '2026-11-23',
    [
      { date: '2026-11-24', starts: ['08:00:00', '08:15:00', '08:30:00'] },
      { date: '2026-11-25', starts: ['09:00:00'] },
    ],
    '2026-11-23',
    (date) => date !== '2026-11-29',
  );

  it('lists free start times per day with the day’s load in words, and picks one', async () => {
    const user = userEvent.setup();
    const onPick = vi.fn();
    render(
      <WeekCalendar
        days={days}
        onPick={onPick}
        onPreviousWeek={() => {}}
        onNextWeek={() => {}}
        canGoBack={false}
        loading={false}
      />,
    );
    expect(screen.getByText('Semaine du lun. 23 nov. au dim. 29 nov.')).toBeTruthy();
    const tuesday = screen.getByRole('list', { name: 'Créneaux libres le mardi 24 novembre' });
    expect(tuesday.querySelectorAll('button')).toHaveLength(3);
    expect(screen.getByText('Nombreux créneaux')).toBeTruthy();
    expect(screen.getByText('Peu de créneaux')).toBeTruthy();
    expect(screen.getByText('Fermé')).toBeTruthy();
    expect(screen.getByRole('button', { name: '← Semaine précédente' }).hasAttribute('disabled')).toBe(true);
    await user.click(screen.getByRole('button', { name: /mardi 24 novembre à\s*08:15/ }));
    expect(onPick).toHaveBeenCalledWith('2026-11-24', '08:15');
  });

  it('asks for the next week', async () => {
    const user = userEvent.setup();
    const onNextWeek = vi.fn();
    render(
      <WeekCalendar
        days={days}
        onPick={() => {}}
        onPreviousWeek={() => {}}
        onNextWeek={onNextWeek}
        canGoBack
        loading
      />,
    );
    expect(screen.getByText('Chargement des créneaux…')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Semaine suivante →' }));
    expect(onNextWeek).toHaveBeenCalledTimes(1);
  });
});

describe('HoldCountdown', () => {
  it('counts down the hold, announces the last minutes and reports the expiry once', () => {
    vi.useFakeTimers();
    try {
      const start = Date.parse('2026-11-24T10:00:00Z');
      vi.setSystemTime(start);
      const onExpire = vi.fn();
      render(<HoldCountdown expiresAt="2026-11-24T10:15:00Z" onExpire={onExpire} now={Date.now} />);
      expect(screen.getByRole('timer').textContent).toBe('15:00');
      act(() => {
        vi.advanceTimersByTime(10 * 60_000);
      });
      expect(screen.getByRole('timer').textContent).toBe('05:00');
      expect(screen.getByText('Il reste 5 minutes pour finaliser la réservation.')).toBeTruthy();
      act(() => {
        vi.advanceTimersByTime(5 * 60_000 + 2000);
      });
      expect(screen.getByRole('timer').textContent).toBe('00:00');
      expect(onExpire).toHaveBeenCalledTimes(1);
      expect(screen.getByText('Le délai est écoulé : le créneau a été libéré.')).toBeTruthy();
    } finally {
      vi.useRealTimers();
    }
  });
});
