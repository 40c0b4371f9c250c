import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { ApiError, api, call } from '../app/api.js';
import { profileFrom } from '../domain/vehicle-profile.js';
import { TextField } from './BookPage.js';

/**
 * A contre-visite from the first control's reference: the booking found by reference + e-mail
 * gives the centre and the vehicle, the new booking names it (`previousBookingReference`) so the
 * centre's free contre-visite policy applies.
 */
export function ContreVisitePage({ centre }: { centre?: string | undefined }) {
  const navigate = useNavigate();
  const [reference, setReference] = useState('');
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const previous = await call(
        api.queries.GET('/api/v1/bookings/{reference}', {
          params: { path: { reference: reference.trim() }, query: { email: email.trim() } },
        }),
      );
      const profile = profileFrom({ ...previous.vehicle, controlType: 'CVP' });
      await navigate({
        to: '/centres/$centreId',
        params: { centreId: centre ?? previous.centre.centreId },
        search: {
          ...profile,
          week: undefined,
          previous: previous.reference,
          plate: previous.vehicle.plate ?? undefined,
        },
      });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'La recherche a échoué.');
    }
  };
  return (
    <div className="page">
      <h1>Réserver une contre-visite</h1>
      <p className="lead">
        Indiquez la référence du premier contrôle : nous reprenons le véhicule et appliquons la contre-visite
        gratuite lorsqu’elle a lieu dans le délai du centre.
      </p>
      <form onSubmit={(event) => void submit(event)} noValidate className="card">
        <TextField
          id="cv-reference"
          label="Référence du premier contrôle"
          value={reference}
          onChange={setReference}
        />
        <TextField
          id="cv-email"
          label="Adresse e-mail utilisée"
          type="email"
          autoComplete="email"
          value={email}
          onChange={setEmail}
        />
        <p role="alert" className="field-error">
          {error ?? ''}
        </p>
        <button type="submit" className="button-primary">
          Continuer
        </button>
      </form>
    </div>
  );
}
