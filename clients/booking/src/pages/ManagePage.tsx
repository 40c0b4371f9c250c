import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import {
  ApiError,
  api,
  bookingByToken,
  call,
  cancelByToken,
  documentUrl,
  type PublicBooking,
  rescheduleByToken,
} from '../app/api.js';
import { useAsync } from '../app/use-async.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { WeekCalendar } from '../components/WeekCalendar.js';
import { statusLabel } from '../domain/status.js';
import { CONTROL_LABELS, priceText } from '../domain/vehicle-profile.js';
import { addDays, buildWeek, formatDateTime, laterDate, mondayOf, todayInParis } from '../domain/week.js';
import { db } from '../storage/db.js';

/** Reschedule or cancel with the manage link's token. */
export function ManagePage({ token }: { token: string }) {
  const [version, setVersion] = useState(0);
  const state = useAsync(() => bookingByToken(token), [token, version]);
  const [dialog, setDialog] = useState(false);
  const [rescheduling, setRescheduling] = useState(false);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);

  if (state.status === 'loading') return <p aria-live="polite">Chargement du rendez-vous…</p>;
  if (state.status === 'error') {
    return (
      <div className="page">
        <h1>Gérer mon rendez-vous</h1>
        <p role="alert" className="field-error">
          {state.error.message}
        </p>
        <Link to="/mes-rendez-vous">Retrouver un rendez-vous avec sa référence</Link>
      </div>
    );
  }
  const booking = state.value;
  const active = booking.status === 'placed' || booking.status === 'confirmed';

  const cancel = async () => {
    setDialog(false);
    try {
      await cancelByToken(token);
      await db.bookings.update(booking.reference, { status: 'cancelled' });
      setNotice({ text: 'Votre rendez-vous est annulé.', error: false });
      setVersion((v) => v + 1);
    } catch (error) {
      setNotice({ text: error instanceof ApiError ? error.message : 'L’annulation a échoué.', error: true });
    }
  };

  const reschedule = async (start: string) => {
    try {
      await rescheduleByToken(token, start);
      setNotice({ text: `Rendez-vous déplacé au ${formatDateTime(start)}.`, error: false });
      setRescheduling(false);
      setVersion((v) => v + 1);
    } catch (error) {
      setNotice({
        text: error instanceof ApiError ? error.message : 'Le déplacement a échoué.',
        error: true,
      });
    }
  };

  return (
    <div className="page">
      <h1>Gérer mon rendez-vous</h1>
      {notice ? (
        <div
          role={notice.error ? 'alert' : 'status'}
          className={`banner ${notice.error ? 'banner-error' : 'banner-info'}`}
        >
          {notice.text}
        </div>
      ) : null}
      <BookingSummary booking={booking} />
      {active ? (
        <div className="actions">
          <button
            type="button"
            className="button-secondary"
            onClick={() => setRescheduling((v) => !v)}
            aria-expanded={rescheduling}
          >
            Déplacer le rendez-vous
          </button>
          <button type="button" className="button-danger" onClick={() => setDialog(true)}>
            Annuler le rendez-vous
          </button>
        </div>
      ) : null}
      {rescheduling ? (
        <ReschedulePicker booking={booking} onPick={(start) => void reschedule(start)} />
      ) : null}
      <ConfirmDialog
        open={dialog}
        title="Annuler ce rendez-vous ?"
        confirmLabel="Oui, annuler"
        cancelLabel="Non, garder"
        onConfirm={() => void cancel()}
        onClose={() => setDialog(false)}
      >
        <p>
          Le créneau du {formatDateTime(booking.start)} sera libéré. Un paiement en ligne est remboursé selon
          les conditions du centre.
        </p>
      </ConfirmDialog>
    </div>
  );
}

export function BookingSummary({ booking, email }: { booking: PublicBooking; email?: string }) {
  return (
    <section className="card">
      <h2>
        Référence <span data-testid="reference">{booking.reference}</span>
      </h2>
      <dl className="facts">
        <div>
          <dt>Statut</dt>
          <dd data-testid="status">{statusLabel(booking.status)}</dd>
        </div>
        <div>
          <dt>Date</dt>
          <dd>{formatDateTime(booking.start)}</dd>
        </div>
        <div>
          <dt>Centre</dt>
          <dd>
            {booking.centre.name}, {booking.centre.address}, {booking.centre.postcode} {booking.centre.city}
          </dd>
        </div>
        <div>
          <dt>Contrôle</dt>
          <dd>{CONTROL_LABELS[booking.controlType as keyof typeof CONTROL_LABELS] ?? booking.controlType}</dd>
        </div>
        <div>
          <dt>Véhicule</dt>
          <dd>{booking.vehicle.plate ?? '—'}</dd>
        </div>
        <div>
          <dt>Prix</dt>
          <dd data-testid="price">{priceText(booking.priceCents, booking.controlType)}</dd>
        </div>
      </dl>
      {email ? (
        <p>
          <a href={documentUrl(booking.reference, email, 'confirmation.pdf')} target="_blank" rel="noopener">
            Confirmation imprimable (PDF)
          </a>
        </p>
      ) : null}
    </section>
  );
}

function ReschedulePicker({ booking, onPick }: { booking: PublicBooking; onPick: (start: string) => void }) {
  const today = todayInParis();
  const [monday, setMonday] = useState(mondayOf(today));
  const availability = useAsync(
    () =>
      call(
        api.queries.GET('/api/v1/centres/{centreId}/availability', {
          params: {
            path: { centreId: booking.centre.centreId },
            query: {
              from: laterDate(monday, today),
              to: addDays(monday, 6),
              category: booking.vehicle.category,
              fuel: booking.vehicle.fuel,
              controlType: booking.controlType,
            },
          },
        }),
      ),
    [monday],
  );
  const days = buildWeek(
    monday,
    availability.status === 'done' ? availability.value.days : [],
    today,
    () => true,
  );
  return (
    <section className="card">
      <h2>Choisissez un nouveau créneau</h2>
      <WeekCalendar
        days={days}
        loading={availability.status === 'loading'}
        canGoBack={monday > mondayOf(today)}
        onPreviousWeek={() => setMonday(addDays(monday, -7))}
        onNextWeek={() => setMonday(addDays(monday, 7))}
        onPick={(date, start) => onPick(`${date}T${start}`)}
      />
    </section>
  );
}
