import { useEffect, useRef, useState } from 'react';

/** Minutes and seconds left before `expiresAt`, never negative. */
export function remainingParts(
  expiresAt: string,
  now: number,
): { minutes: number; seconds: number; ms: number } {
  const ms = Math.max(0, Date.parse(expiresAt) - now);
  const total = Math.ceil(ms / 1000);
  return { minutes: Math.floor(total / 60), seconds: total % 60, ms };
}

const MILESTONES = [5 * 60, 60] as const;

/**
 * The hold's visible countdown. The clock itself is not a live region (a screen reader would read
 * every second); a separate polite region announces five minutes and one minute left, and the
 * expiry. `onExpire` runs once when the time is up.
 */
export function HoldCountdown({
  expiresAt,
  onExpire,
  now = () => Date.now(),
}: {
  expiresAt: string;
  onExpire: () => void;
  now?: () => number;
}) {
  const [current, setCurrent] = useState(now);
  const [announcement, setAnnouncement] = useState('');
  const announced = useRef(new Set<number>());
  const expired = useRef(false);

  useEffect(() => {
    const timer = setInterval(() => setCurrent(now()), 1000);
    return () => clearInterval(timer);
  }, [now]);

  const { minutes, seconds, ms } = remainingParts(expiresAt, current);
  const totalSeconds = minutes * 60 + seconds;

  useEffect(() => {
    for (const milestone of MILESTONES) {
      if (totalSeconds <= milestone && totalSeconds > 0 && !announced.current.has(milestone)) {
        announced.current.add(milestone);
        setAnnouncement(
          milestone >= 60
            ? `Il reste ${milestone / 60} minute${milestone >= 120 ? 's' : ''} pour finaliser la réservation.`
            : '',
        );
      }
    }
    if (ms === 0 && !expired.current) {
      expired.current = true;
      setAnnouncement('Le délai est écoulé : le créneau a été libéré.');
      onExpire();
    }
  }, [totalSeconds, ms, onExpire]);

  const urgent = totalSeconds <= 120;
  return (
    <div className={`countdown${urgent ? ' countdown-urgent' : ''}`}>
      <p>
        Créneau réservé pour vous pendant{' '}
        <span
          role="timer"
          aria-label={`${minutes} minutes ${seconds} secondes restantes`}
          className="countdown-clock"
        >
          {String(minutes).padStart(2, '0')}:{String(seconds).padStart(2, '0')}
        </span>
      </p>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
    </div>
  );
}
