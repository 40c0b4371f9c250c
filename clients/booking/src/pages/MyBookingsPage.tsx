import { Link } from '@tanstack/react-router';
import { useLiveQuery } from 'dexie-react-hooks';
import { type FormEvent, useState } from 'react';
import { ApiError, api, call, type PublicBooking } from '../app/api.js';
import { statusLabel } from '../domain/status.js';
import { formatDateTime } from '../domain/week.js';
import { db } from '../storage/db.js';
import { TextField } from './BookPage.js';
import { manageLink } from './ConfirmationPage.js';
import { BookingSummary } from './ManagePage.js';

/** "Mes rendez-vous": bookings made on this device, drafts waiting for the network, and a lookup. */
export function MyBookingsPage({ reference: initialReference }: { reference?: string | undefined }) {
  const bookings = useLiveQuery(() => db.bookings.orderBy('savedAt').reverse().toArray(), [], []);
  const drafts = useLiveQuery(() => db.drafts.orderBy('createdAt').reverse().toArray(), [], []);
  const [reference, setReference] = useState(initialReference ?? '');
  const [email, setEmail] = useState('');
  const [found, setFound] = useState<PublicBooking | null>(null);
  const [error, setError] = useState<string | null>(null);

  const lookup = async (event: FormEvent) => {
    event.preventDefault();
    setFound(null);
    if (reference.trim().length < 8 || email.trim().length < 3) {
      setError('Indiquez la référence (8 caractères ou plus) et l’e-mail du rendez-vous.');
      return;
    }
    try {
      setError(null);
      setFound(
        await call(
          api.queries.GET('/api/v1/bookings/{reference}', {
            params: { path: { reference: reference.trim() }, query: { email: email.trim() } },
          }),
        ),
      );
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'La recherche a échoué.');
    }
  };

  const savedToken = found ? bookings?.find((b) => b.reference === found.reference)?.manageToken : undefined;
  const visibleDrafts = (drafts ?? []).filter((draft) => draft.status !== 'submitted');
  return (
    <div className="page">
      <h1>Mes rendez-vous</h1>
      {visibleDrafts.length > 0 ? (
        <section className="card" aria-labelledby="drafts">
          <h2 id="drafts">En attente d’envoi</h2>
          <ul>
            {visibleDrafts.map((draft) => (
              <li key={draft.id}>
                {formatDateTime(draft.body.start)} — {draft.centreName} :{' '}
                {draft.status === 'pending' || draft.status === 'submitting'
                  ? 'sera envoyé au retour du réseau'
                  : draft.message}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section className="card" aria-labelledby="device">
        <h2 id="device">Pris sur cet appareil</h2>
        {(bookings ?? []).length === 0 ? <p>Aucun rendez-vous pris sur cet appareil.</p> : null}
        <ul className="bookings">
          {(bookings ?? []).map((booking) => (
            <li key={booking.reference}>
              <strong>{booking.reference}</strong> — {formatDateTime(booking.start)} — {booking.centreName} —{' '}
              {statusLabel(booking.status)} — <a href={manageLink(booking.manageToken)}>Gérer</a>
              {booking.status === 'placed' ? (
                <>
                  {' '}
                  —{' '}
                  <Link to="/rendez-vous/confirmation" search={{ reference: booking.reference }}>
                    Voir
                  </Link>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="find">
        <h2 id="find">Retrouver un rendez-vous</h2>
        <form onSubmit={(event) => void lookup(event)} noValidate>
          <TextField
            id="reference"
            label="Référence (ex. K7M4-QX2P)"
            value={reference}
            onChange={setReference}
          />
          <TextField
            id="lookup-email"
            label="Adresse e-mail"
            type="email"
            autoComplete="email"
            value={email}
            onChange={setEmail}
          />
          <p role="alert" className="field-error">
            {error ?? ''}
          </p>
          <button type="submit" className="button-primary">
            Rechercher
          </button>
        </form>
      </section>
      {found ? (
        <>
          <BookingSummary booking={found} email={email.trim()} />
          {savedToken ? (
            <a href={manageLink(savedToken)}>Modifier ou annuler</a>
          ) : (
            <p>Pour modifier ou annuler, utilisez le lien reçu par e-mail ou appelez le centre.</p>
          )}
        </>
      ) : null}
    </div>
  );
}
