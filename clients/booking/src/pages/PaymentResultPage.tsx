import { Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { db, type SavedBooking } from '../storage/db.js';

/** Where the payment provider sends the browser back (`?statut=paid|failed|pending|unknown&reservation=`). */
export function PaymentResultPage({
  statut,
  reservation,
}: {
  statut: string;
  reservation?: string | undefined;
}) {
  const navigate = useNavigate();
  const [booking, setBooking] = useState<SavedBooking | null | undefined>(undefined);
  useEffect(() => {
    if (!reservation) {
      setBooking(null);
      return;
    }
    void db.bookings
      .filter((saved) => saved.bookingId === reservation)
      .first()
      .then((saved) => setBooking(saved ?? null));
  }, [reservation]);
  useEffect(() => {
    if (statut === 'paid' && booking) {
      void db.bookings.update(booking.reference, { status: 'confirmed' });
      void navigate({
        to: '/rendez-vous/confirmation',
        search: { reference: booking.reference },
        replace: true,
      });
    }
  }, [statut, booking, navigate]);
  return (
    <div className="page">
      <h1>
        {statut === 'paid'
          ? 'Paiement accepté'
          : statut === 'pending'
            ? 'Paiement en cours'
            : 'Paiement non abouti'}
      </h1>
      {statut === 'paid' ? <p aria-live="polite">Affichage de votre confirmation…</p> : null}
      {statut === 'failed' || statut === 'unknown' ? (
        <p role="alert">
          Le paiement n’a pas abouti et aucun montant n’a été débité. Le créneau est libéré ; vous pouvez
          réserver à nouveau.
        </p>
      ) : null}
      {statut === 'pending' ? (
        <p>Le prestataire confirme le paiement : votre rendez-vous apparaîtra dans « Mes rendez-vous ».</p>
      ) : null}
      <p>
        <Link to="/mes-rendez-vous">Mes rendez-vous</Link> · <Link to="/">Nouvelle recherche</Link>
      </p>
    </div>
  );
}
