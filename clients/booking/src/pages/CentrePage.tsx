import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { api, call } from '../app/api.js';
import { useAsync } from '../app/use-async.js';
import { WeekCalendar } from '../components/WeekCalendar.js';
import {
  CATEGORY_LABELS,
  CONTROL_LABELS,
  FUEL_LABELS,
  formatEuros,
  type VehicleProfile,
} from '../domain/vehicle-profile.js';
import { addDays, buildWeek, laterDate, mondayOf, todayInParis, weekdayKey } from '../domain/week.js';

export interface CentreSearch extends VehicleProfile {
  readonly week?: string | undefined;
  readonly previous?: string | undefined;
  readonly plate?: string | undefined;
}

const DAY_NAMES = {
  monday: 'Lundi',
  tuesday: 'Mardi',
  wednesday: 'Mercredi',
  thursday: 'Jeudi',
  friday: 'Vendredi',
  saturday: 'Samedi',
  sunday: 'Dimanche',
} as const;

export function CentrePage({ centreId, search }: { centreId: string; search: CentreSearch }) {
  const navigate = useNavigate();
  const { week, previous, plate, ...profile } = search;
  const today = todayInParis();
  const monday = week ?? mondayOf(today);
  const [selected] = useState<string | null>(null);
  const card = useAsync(
    () => call(api.queries.GET('/api/v1/centres/{centreId}', { params: { path: { centreId } } })),
    [centreId],
  );
  const availability = useAsync(
    () =>
      call(
        api.queries.GET('/api/v1/centres/{centreId}/availability', {
          params: {
            path: { centreId },
            query: {
              from: laterDate(monday, today),
              to: addDays(monday, 6),
              category: profile.category,
              fuel: profile.fuel,
              controlType: profile.controlType,
            },
          },
        }),
      ),
    [centreId, monday, profile.category, profile.fuel, profile.controlType],
  );

  if (card.status === 'error') {
    return (
      <div className="page">
        <h1>Centre</h1>
        <p role="alert" className="field-error">
          {card.error.message}
        </p>
      </div>
    );
  }
  if (card.status === 'loading') return <p aria-live="polite">Chargement du centre…</p>;
  const centre = card.value;
  const days = buildWeek(
    monday,
    availability.status === 'done' ? availability.value.days : [],
    today,
    (date) => centre.openingHours[weekdayKey(date)].length > 0,
  );
  const price = availability.status === 'done' ? availability.value.priceCents : null;
  const goWeek = (delta: number) =>
    navigate({
      to: '/centres/$centreId',
      params: { centreId },
      search: { ...search, week: addDays(monday, delta * 7) },
      replace: true,
    });

  return (
    <div className="page">
      <h1>{centre.name}</h1>
      <div className="centre-layout">
        <section className="card" aria-labelledby="infos">
          <h2 id="infos">Informations</h2>
          <p>
            {centre.address}, {centre.postcode} {centre.city}
          </p>
          {centre.phone ? (
            <p>
              Téléphone : <a href={`tel:${centre.phone}`}>{centre.phone}</a>
            </p>
          ) : null}
          <h3>Horaires</h3>
          <table className="hours">
            <caption className="visually-hidden">Horaires d’ouverture</caption>
            <tbody>
              {(Object.keys(DAY_NAMES) as (keyof typeof DAY_NAMES)[]).map((day) => (
                <tr key={day}>
                  <th scope="row">{DAY_NAMES[day]}</th>
                  <td>
                    {centre.openingHours[day].length === 0
                      ? 'Fermé'
                      : centre.openingHours[day]
                          .map((interval) => `${interval.from}–${interval.to}`)
                          .join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Tarifs</h3>
          <ul className="prices">
            {centre.prices
              .filter((entry) => entry.vehicleCategory === profile.category)
              .map((entry) => (
                <li key={`${entry.controlType}-${entry.fuel ?? 'all'}`}>
                  {CONTROL_LABELS[entry.controlType as keyof typeof CONTROL_LABELS] ?? entry.controlType}
                  {entry.fuel
                    ? ` (${FUEL_LABELS[entry.fuel as keyof typeof FUEL_LABELS] ?? entry.fuel})`
                    : ''}{' '}
                  : {formatEuros(entry.priceCents)}
                </li>
              ))}
          </ul>
        </section>
        <section className="card" aria-labelledby="creneaux">
          <h2 id="creneaux">Choisissez un créneau</h2>
          <p>
            {CONTROL_LABELS[profile.controlType]} — {CATEGORY_LABELS[profile.category]},{' '}
            {FUEL_LABELS[profile.fuel]}
            {price !== null ? ` — ${formatEuros(price)}` : ''}
            {availability.status === 'done' ? ` — ${availability.value.durationMinutes} min` : ''}
          </p>
          {availability.status === 'error' ? (
            <p role="alert" className="field-error">
              {availability.error.message}
            </p>
          ) : null}
          <WeekCalendar
            days={days}
            loading={availability.status === 'loading'}
            canGoBack={monday > mondayOf(today)}
            onPreviousWeek={() => void goWeek(-1)}
            onNextWeek={() => void goWeek(1)}
            selected={selected}
            onPick={(date, start) =>
              void navigate({
                to: '/reserver/$centreId',
                params: { centreId },
                search: { ...profile, start: `${date}T${start}`, previous, plate },
              })
            }
          />
          <p>
            <Link to="/">Changer de véhicule ou de ville</Link>
          </p>
        </section>
      </div>
    </div>
  );
}
