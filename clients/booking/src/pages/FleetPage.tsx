import { idempotencyKey } from '@pti/api-client';
import { useLiveQuery } from 'dexie-react-hooks';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { type AccountBooking, ApiError, api, call, confirmOnSite } from '../app/api.js';
import { PlateField } from '../components/PlateField.js';
import { isSiret, normalisePhone, validateContact } from '../domain/contact-validation.js';
import { normalisePlate } from '../domain/plate.js';
import { statusLabel } from '../domain/status.js';
import {
  CATEGORY_LABELS,
  FUEL_LABELS,
  type Fuel,
  fuelsFor,
  VEHICLE_CATEGORIES,
  type VehicleCategory,
} from '../domain/vehicle-profile.js';
import { addDays, formatDateTime, todayInParis } from '../domain/week.js';
import { db } from '../storage/db.js';
import { TextField } from './BookPage.js';

interface FleetVehicle {
  readonly key: number;
  plate: string;
  category: VehicleCategory;
  fuel: Fuel;
}

interface Session {
  readonly token: string;
  readonly name: string;
}

type Outcome =
  | { plate: string; ok: true; reference: string; start: string }
  | { plate: string; ok: false; message: string };

/**
 * Fleet managers (role `client_pro`): signed in, they book several vehicles of their company in
 * one go at one centre and day (each on the next free start), and see the fleet's bookings made
 * from this device.
 */
export function FleetPage() {
  const [session, setSession] = useState<Session | null>(null);
  return (
    <div className="page">
      <h1>Espace professionnel — flotte</h1>
      {session ? (
        <FleetBooking session={session} onSignOut={() => setSession(null)} />
      ) : (
        <SignIn onSignedIn={setSession} />
      )}
    </div>
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const result = await call(api.commands.POST('/api/v1/auth/login', { body: { username, password } }));
      if (result.principal.role !== 'client_pro') {
        setError('Ce compte n’est pas un compte professionnel (gestionnaire de flotte).');
        return;
      }
      onSignedIn({ token: result.accessToken, name: result.principal.displayName });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Connexion impossible.');
    }
  };
  return (
    <form className="card" onSubmit={(event) => void submit(event)} noValidate>
      <h2>Connexion</h2>
      <TextField
        id="username"
        label="Identifiant"
        autoComplete="username"
        value={username}
        onChange={setUsername}
      />
      <TextField
        id="password"
        label="Mot de passe"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={setPassword}
      />
      <p role="alert" className="field-error">
        {error ?? ''}
      </p>
      <button type="submit" className="button-primary">
        Se connecter
      </button>
    </form>
  );
}

let nextKey = 1;
const newVehicle = (): FleetVehicle => ({ key: nextKey++, plate: '', category: 'VU', fuel: 'Diesel' });

function FleetBooking({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const [company, setCompany] = useState({
    companyName: '',
    siret: '',
    name: session.name,
    email: '',
    phone: '',
  });
  const [vehicles, setVehicles] = useState<FleetVehicle[]>([newVehicle(), newVehicle()]);
  const [postcode, setPostcode] = useState('');
  const [date, setDate] = useState(addDays(todayInParis(), 2));
  const [error, setError] = useState<string | null>(null);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const [busy, setBusy] = useState(false);
  const siret = company.siret.replace(/\s/g, '');
  const fleet = useLiveQuery(() => db.bookings.where('siret').equals(siret).toArray(), [siret], []);
  // The account's bookings as the server knows them (every device); this device's list stays the
  // fallback when the server cannot be reached.
  const [placedByAccount, setPlacedByAccount] = useState<AccountBooking[] | null>(null);
  // The list is a read model, a moment behind the bookings just placed: after a run it is asked
  // again until it shows them (a few tries a second apart), so the manager sees what was booked.
  const loadAccountBookings = useCallback(
    async (expected: readonly string[] = []) => {
      for (let attempt = 0; ; attempt += 1) {
        try {
          const page = await call(
            api.queries.GET('/api/v1/pro/bookings', {
              headers: { authorization: `Bearer ${session.token}` },
              params: { query: { limit: 100 } },
            }),
          );
          setPlacedByAccount([...page.items]);
          const listed = new Set(page.items.map((item) => item.reference));
          if (expected.every((reference) => listed.has(reference)) || attempt >= 9) return;
        } catch {
          setPlacedByAccount(null);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    },
    [session.token],
  );
  useEffect(() => {
    void loadAccountBookings();
  }, [loadAccountBookings]);

  const update = (key: number, patch: Partial<FleetVehicle>) =>
    setVehicles((list) => list.map((vehicle) => (vehicle.key === key ? { ...vehicle, ...patch } : vehicle)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const contactErrors = validateContact({ ...company, plate: '' }, { company: true, plate: false });
    const badPlate = vehicles.find((vehicle) => normalisePlate(vehicle.plate) === undefined);
    if (Object.keys(contactErrors).length > 0 || !isSiret(siret)) {
      setError(Object.values(contactErrors).join(' '));
      return;
    }
    if (badPlate) {
      setError(`Immatriculation invalide : « ${badPlate.plate || 'vide'} ».`);
      return;
    }
    if (!/^\d{5}$/.test(postcode)) {
      setError('Indiquez le code postal du centre souhaité.');
      return;
    }
    setError(null);
    setBusy(true);
    const results: Outcome[] = [];
    const headers = { authorization: `Bearer ${session.token}` };
    try {
      for (const vehicle of vehicles) {
        const plate = normalisePlate(vehicle.plate)?.plate ?? vehicle.plate;
        const profile = { category: vehicle.category, fuel: vehicle.fuel, controlType: 'CTP' as const };
        try {
          const centres = await call(
            api.queries.GET('/api/v1/centres', { params: { query: { postcode, ...profile, limit: 1 } } }),
          );
          const centre = centres.items[0];
          if (!centre)
            throw new ApiError(404, 'NO_CENTRE', 'Aucun centre ne contrôle ce véhicule dans ce secteur.');
          const availability = await call(
            api.queries.GET('/api/v1/centres/{centreId}/availability', {
              params: {
                path: { centreId: centre.centre.centreId },
                query: { from: date, to: date, ...profile },
              },
            }),
          );
          const taken = new Set(results.flatMap((r) => (r.ok ? [r.start] : [])));
          const start = availability.days[0]?.starts
            .map((s) => `${date}T${s.slice(0, 5)}`)
            .find((s) => !taken.has(s));
          if (!start) throw new ApiError(409, 'DAY_FULL', 'Plus de créneau libre ce jour-là.');
          const placed = await call(
            api.commands.POST('/api/v1/bookings', {
              headers,
              params: { header: { 'idempotency-key': idempotencyKey() } },
              body: {
                centreId: centre.centre.centreId,
                start,
                controlType: 'CTP',
                vehicle: { plate, category: vehicle.category, fuel: vehicle.fuel },
                customer: {
                  kind: 'company',
                  name: company.name.trim(),
                  companyName: company.companyName.trim(),
                  siret,
                  email: company.email.trim(),
                  phone: normalisePhone(company.phone) ?? company.phone,
                },
                channel: 'web',
                paymentMode: 'on_site',
              },
            }),
          );
          await confirmOnSite(placed.bookingId, placed.manageToken);
          await db.bookings.put({
            reference: placed.reference,
            bookingId: placed.bookingId,
            manageToken: placed.manageToken,
            email: company.email.trim(),
            centreId: placed.centreId,
            centreName: centre.centre.name,
            start: placed.start,
            controlType: 'CTP',
            plate,
            status: 'confirmed',
            siret,
            savedAt: Date.now(),
          });
          results.push({ plate, ok: true, reference: placed.reference, start: placed.start });
        } catch (e) {
          results.push({
            plate,
            ok: false,
            message: e instanceof ApiError ? e.message : 'Échec de la réservation.',
          });
        }
        setOutcomes([...results]);
      }
    } finally {
      setBusy(false);
      void loadAccountBookings(results.flatMap((result) => (result.ok ? [result.reference] : [])));
    }
  };

  return (
    <>
      <p>
        Connecté : {session.name}.{' '}
        <button type="button" className="button-link" onClick={onSignOut}>
          Se déconnecter
        </button>
      </p>
      <form className="card" onSubmit={(event) => void submit(event)} noValidate>
        <fieldset>
          <legend>Entreprise</legend>
          <TextField
            id="companyName"
            label="Raison sociale"
            value={company.companyName}
            onChange={(v) => setCompany({ ...company, companyName: v })}
          />
          <TextField
            id="siret"
            label="SIRET (14 chiffres)"
            value={company.siret}
            onChange={(v) => setCompany({ ...company, siret: v })}
          />
          <TextField
            id="fleet-name"
            label="Contact"
            autoComplete="name"
            value={company.name}
            onChange={(v) => setCompany({ ...company, name: v })}
          />
          <TextField
            id="fleet-email"
            label="E-mail"
            type="email"
            autoComplete="email"
            value={company.email}
            onChange={(v) => setCompany({ ...company, email: v })}
          />
          <TextField
            id="fleet-phone"
            label="Téléphone"
            type="tel"
            autoComplete="tel"
            value={company.phone}
            onChange={(v) => setCompany({ ...company, phone: v })}
          />
        </fieldset>
        <fieldset>
          <legend>Véhicules</legend>
          <ol className="fleet-vehicles">
            {vehicles.map((vehicle, index) => (
              <li key={vehicle.key}>
                <PlateField
                  id={`plate-${vehicle.key}`}
                  value={vehicle.plate}
                  onChange={(plate) => update(vehicle.key, { plate })}
                />
                <div className="field">
                  <label htmlFor={`category-${vehicle.key}`}>Type du véhicule {index + 1}</label>
                  <select
                    id={`category-${vehicle.key}`}
                    value={vehicle.category}
                    onChange={(e) => update(vehicle.key, { category: e.target.value as VehicleCategory })}
                  >
                    {VEHICLE_CATEGORIES.map((c) => (
                      <option key={c} value={c}>
                        {CATEGORY_LABELS[c]}
                      </option>
                    ))}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor={`fuel-${vehicle.key}`}>Énergie du véhicule {index + 1}</label>
                  <select
                    id={`fuel-${vehicle.key}`}
                    value={vehicle.fuel}
                    onChange={(e) => update(vehicle.key, { fuel: e.target.value as Fuel })}
                  >
                    {fuelsFor(vehicle.category).map((f) => (
                      <option key={f} value={f}>
                        {FUEL_LABELS[f]}
                      </option>
                    ))}
                  </select>
                </div>
                {vehicles.length > 1 ? (
                  <button
                    type="button"
                    className="button-secondary"
                    onClick={() => setVehicles(vehicles.filter((v) => v.key !== vehicle.key))}
                  >
                    Retirer le véhicule {index + 1}
                  </button>
                ) : null}
              </li>
            ))}
          </ol>
          <button
            type="button"
            className="button-secondary"
            onClick={() => setVehicles([...vehicles, newVehicle()])}
          >
            Ajouter un véhicule
          </button>
        </fieldset>
        <fieldset>
          <legend>Centre et date</legend>
          <TextField
            id="fleet-postcode"
            label="Code postal du centre"
            value={postcode}
            onChange={setPostcode}
          />
          <TextField id="fleet-date" label="Date souhaitée" type="date" value={date} onChange={setDate} />
        </fieldset>
        <p role="alert" className="field-error">
          {error ?? ''}
        </p>
        <button type="submit" className="button-primary" disabled={busy}>
          {busy
            ? 'Réservation en cours…'
            : `Réserver ${vehicles.length} véhicule${vehicles.length > 1 ? 's' : ''}`}
        </button>
      </form>
      {outcomes.length > 0 ? (
        <section className="card" aria-live="polite">
          <h2>Résultat</h2>
          <ul>
            {outcomes.map((outcome) => (
              <li key={outcome.plate}>
                {outcome.plate} :{' '}
                {outcome.ok
                  ? `réservé le ${formatDateTime(outcome.start)} (référence ${outcome.reference})`
                  : outcome.message}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section className="card" aria-labelledby="fleet-bookings-title">
        <h2 id="fleet-bookings-title">Rendez-vous de la flotte</h2>
        {placedByAccount !== null ? (
          <>
            <p>Rendez-vous pris avec ce compte, sur tous vos appareils.</p>
            {placedByAccount.length === 0 ? <p>Aucun rendez-vous pour ce compte.</p> : null}
            <ul>
              {placedByAccount.map((booking) => (
                <li key={booking.bookingId}>
                  {booking.vehicle.plate ?? 'Immatriculation effacée'} — {formatDateTime(booking.start)} —{' '}
                  {statusLabel(booking.status)} ({booking.reference})
                </li>
              ))}
            </ul>
          </>
        ) : (
          <>
            {(fleet ?? []).length === 0 ? <p>Aucun rendez-vous pour ce SIRET sur cet appareil.</p> : null}
            <ul>
              {(fleet ?? []).map((booking) => (
                <li key={booking.reference}>
                  {booking.plate} — {formatDateTime(booking.start)} — {booking.centreName} —{' '}
                  {statusLabel(booking.status)} ({booking.reference})
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </>
  );
}
