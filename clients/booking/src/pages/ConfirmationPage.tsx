import { Link } from '@tanstack/react-router';
import { useLiveQuery } from 'dexie-react-hooks';
import { bookingByToken, documentUrl } from '../app/api.js';
import { useAsync } from '../app/use-async.js';
import { QrCode } from '../components/QrCode.js';
import { statusLabel } from '../domain/status.js';
import { CONTROL_LABELS, formatEuros, priceText } from '../domain/vehicle-profile.js';
import { formatDateTime } from '../domain/week.js';
import { db } from '../storage/db.js';

export function manageLink(token: string): string {
  return `/rendez-vous/gerer?${new URLSearchParams({ token })}`;
}

/** The booking as confirmed: reference, QR code, calendar file, printable PDF and manage link. */
export function ConfirmationPage({ reference }: { reference: string }) {
  const saved = useLiveQuery(() => db.bookings.get(reference), [reference]);
  const booking = useAsync(
    () => (saved ? bookingByToken(saved.manageToken) : Promise.resolve(null)),
    [saved?.manageToken],
  );
  if (saved === undefined) {
    return (
      <div className="page">
        <h1>Rendez-vous {reference}</h1>
        <p>
          Ce rendez-vous n’a pas été pris sur cet appareil. <Link to="/mes-rendez-vous">Retrouvez-le</Link>{' '}
          avec sa référence et votre e-mail.
        </p>
      </div>
    );
  }
  const view = booking.status === 'done' ? booking.value : null;
  return (
    <div className="page">
      <h1>
        {view?.status === 'confirmed' || saved.status === 'confirmed'
          ? 'Rendez-vous confirmé'
          : 'Votre rendez-vous'}
      </h1>
      <section className="card confirmation">
        <div>
          <p>
            Référence : <strong data-testid="reference">{saved.reference}</strong>
          </p>
          <p>
            {CONTROL_LABELS[saved.controlType as keyof typeof CONTROL_LABELS] ?? saved.controlType} le{' '}
            {formatDateTime(saved.start)} — {saved.centreName}
          </p>
          {view ? (
            <>
              <p>
                Statut : <strong data-testid="status">{statusLabel(view.status)}</strong>
              </p>
              <p>
                {view.centre.address}, {view.centre.postcode} {view.centre.city}
              </p>
              <p>
                Prix : <span data-testid="price">{priceText(view.priceCents, saved.controlType)}</span>
                {view.paidCents > 0
                  ? ` (payé : ${formatEuros(view.paidCents)})`
                  : view.priceCents > 0
                    ? ' (à régler sur place)'
                    : ''}
              </p>
            </>
          ) : null}
          {booking.status === 'error' ? <p className="field-error">{booking.error.message}</p> : null}
          <p>Présentez ce code à l’accueil du centre :</p>
        </div>
        <QrCode text={saved.reference} label={`QR code de la référence ${saved.reference}`} />
      </section>
      <ul className="links">
        <li>
          <a href={documentUrl(saved.reference, saved.email, 'calendar.ics')} download>
            Ajouter à mon agenda (.ics)
          </a>
        </li>
        <li>
          <a
            href={documentUrl(saved.reference, saved.email, 'confirmation.pdf')}
            target="_blank"
            rel="noopener"
          >
            Confirmation imprimable (PDF)
          </a>
        </li>
        <li>
          <a href={manageLink(saved.manageToken)}>Modifier ou annuler ce rendez-vous</a>
        </li>
      </ul>
    </div>
  );
}
