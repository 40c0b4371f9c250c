import { useId } from 'react';
import { formatDay, LOAD_LABELS, type WeekDay } from '../domain/week.js';

/**
 * A week of free start times, one column per day, each day headed by its load (colour and word).
 * Times are buttons: Tab walks through them, Enter picks one.
 */
export function WeekCalendar({
  days,
  onPick,
  onPreviousWeek,
  onNextWeek,
  canGoBack,
  loading,
  selected,
}: {
  days: readonly WeekDay[];
  onPick: (date: string, start: string) => void;
  onPreviousWeek: () => void;
  onNextWeek: () => void;
  canGoBack: boolean;
  loading: boolean;
  selected?: string | null;
}) {
  const headingId = useId();
  const first = days[0];
  const last = days[days.length - 1];
  return (
    <section aria-labelledby={headingId} className="week">
      <div className="week-nav">
        <button type="button" onClick={onPreviousWeek} disabled={!canGoBack} className="button-secondary">
          ← Semaine précédente
        </button>
        <h3 id={headingId}>
          {first && last
            ? `Semaine du ${formatDay(first.date, 'short')} au ${formatDay(last.date, 'short')}`
            : ''}
        </h3>
        <button type="button" onClick={onNextWeek} className="button-secondary">
          Semaine suivante →
        </button>
      </div>
      <p aria-live="polite" className="hint">
        {loading ? 'Chargement des créneaux…' : ''}
      </p>
      <ol className="week-days">
        {days.map((day) => (
          <li key={day.date} className={`week-day load-${day.level}`} data-testid={`day-${day.date}`}>
            <h4>
              <span className="day-name">{formatDay(day.date)}</span>
              <span className="load-badge">{day.past ? 'Passé' : LOAD_LABELS[day.level]}</span>
            </h4>
            {day.starts.length === 0 || day.past ? (
              <p className="no-slot">Aucun créneau</p>
            ) : (
              <ul className="slots" aria-label={`Créneaux libres le ${formatDay(day.date)}`}>
                {day.starts.map((start) => {
                  const value = `${day.date}T${start.slice(0, 5)}`;
                  return (
                    <li key={start}>
                      <button
                        type="button"
                        className="slot"
                        aria-pressed={selected === value}
                        onClick={() => onPick(day.date, start.slice(0, 5))}
                      >
                        <span className="visually-hidden">{formatDay(day.date)} à </span>
                        {start.slice(0, 5)}
                      </button>
                    </li>
                  );
                })}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
