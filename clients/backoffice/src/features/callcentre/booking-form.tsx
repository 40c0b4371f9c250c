import { type FormEvent, useState } from 'react';
import { describeError } from '../../api/http.js';
import type { ControlType, Fuel, PlacedBooking, VehicleCategory } from '../../api/types.js';
import { CONTROL_TYPES, FUELS, VEHICLE_CATEGORIES } from '../../api/types.js';
import { useApi } from '../../auth/session.js';
import { CentrePicker, useDefaultCentre } from '../../ui/centre-picker.js';
import { Field, StatusMessage } from '../../ui/components.js';
import { addDays, CONTROL_LABELS, formatEuros, parisToday } from '../../ui/format.js';

export interface CustomerPrefill {
  readonly name?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly plate?: string;
}

/**
 * Book on a customer's behalf (channel `call_centre`): pick a centre, a day and a free start from
 * the availability read model (or type a time), then place and confirm with payment on site.
 */
export function BookOnBehalfForm(props: {
  prefill?: CustomerPrefill;
  onBooked?: (booking: PlacedBooking) => void;
}) {
  const api = useApi();
  const [centreId, setCentreId] = useState<string | null>(useDefaultCentre());
  const [date, setDate] = useState(addDays(parisToday(), 1));
  const [time, setTime] = useState('');
  const [controlType, setControlType] = useState<ControlType>('CTP');
  const [category, setCategory] = useState<VehicleCategory>('VP');
  const [fuel, setFuel] = useState<Fuel>('Essence');
  const [plate, setPlate] = useState(props.prefill?.plate ?? '');
  const [name, setName] = useState(props.prefill?.name ?? '');
  const [email, setEmail] = useState(props.prefill?.email ?? '');
  const [phone, setPhone] = useState(props.prefill?.phone ?? '');
  const [starts, setStarts] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const lookUp = async () => {
    if (centreId === null) return;
    setMessage(null);
    try {
      const availability = await api.availability(centreId, {
        from: date,
        to: date,
        category,
        fuel,
        controlType,
      });
      const day = availability.days.find((d) => d.date === date);
      setStarts(day?.starts ?? []);
    } catch (error) {
      setStarts(null);
      setMessage({ kind: 'error', text: `Disponibilités indisponibles : ${describeError(error)}` });
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (centreId === null) {
      setMessage({ kind: 'error', text: 'Choisissez un centre.' });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const placed = await api.placeOnBehalf(centreId, {
        start: `${date}T${time}`,
        controlType,
        vehicle: { plate, category, fuel },
        customer: { kind: 'private', name, email, phone },
        channel: 'call_centre',
        paymentMode: 'on_site',
      });
      await api.confirmOnSite(placed.bookingId);
      setMessage({
        kind: 'ok',
        text: `Rendez-vous ${placed.reference} confirmé le ${date} à ${placed.start.slice(-5)} (${formatEuros(placed.priceCents)}, paiement sur place).`,
      });
      props.onBooked?.(placed);
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="book-title" className="panel">
      <h2 id="book-title">Nouveau rendez-vous pour le client</h2>
      <CentrePicker value={centreId} onChange={setCentreId} />
      <form onSubmit={submit}>
        <fieldset>
          <legend>Contrôle et véhicule</legend>
          <div className="grid">
            <Field label="Type de contrôle">
              {(id) => (
                <select
                  id={id}
                  value={controlType}
                  onChange={(e) => setControlType(e.target.value as ControlType)}
                >
                  {CONTROL_TYPES.map((c) => (
                    <option key={c} value={c}>
                      {CONTROL_LABELS[c]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Catégorie">
              {(id) => (
                <select
                  id={id}
                  value={category}
                  onChange={(e) => setCategory(e.target.value as VehicleCategory)}
                >
                  {VEHICLE_CATEGORIES.map((c) => (
                    <option key={c}>{c}</option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Énergie">
              {(id) => (
                <select id={id} value={fuel} onChange={(e) => setFuel(e.target.value as Fuel)}>
                  {FUELS.map((f) => (
                    <option key={f}>{f}</option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Immatriculation" hint="AA-123-AA ou 123-ABC-75">
              {(id) => (
                <input
                  id={id}
                  required
                  value={plate}
                  onChange={(e) => setPlate(e.target.value)}
                  aria-describedby={`${id}-hint`}
                />
              )}
            </Field>
          </div>
        </fieldset>
        <fieldset>
          <legend>Client</legend>
          <div className="grid">
            <Field label="Nom">
              {(id) => (
                <input
                  id={id}
                  required
                  autoComplete="off"
                  value={name}
                  onChange={(e) => setName(e.target.value)}
                />
              )}
            </Field>
            <Field label="E-mail">
              {(id) => (
                <input
                  id={id}
                  type="email"
                  required
                  autoComplete="off"
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                />
              )}
            </Field>
            <Field label="Téléphone">
              {(id) => (
                <input
                  id={id}
                  type="tel"
                  required
                  autoComplete="off"
                  value={phone}
                  onChange={(e) => setPhone(e.target.value)}
                />
              )}
            </Field>
          </div>
        </fieldset>
        <fieldset>
          <legend>Créneau</legend>
          <div className="grid">
            <Field label="Jour du rendez-vous">
              {(id) => (
                <input
                  id={id}
                  type="date"
                  required
                  value={date}
                  onChange={(e) => {
                    setDate(e.target.value);
                    setStarts(null);
                  }}
                />
              )}
            </Field>
            <Field label="Heure du rendez-vous">
              {(id) => (
                <input
                  id={id}
                  type="time"
                  required
                  step={300}
                  value={time}
                  onChange={(e) => setTime(e.target.value)}
                />
              )}
            </Field>
          </div>
          <button type="button" onClick={lookUp} disabled={centreId === null}>
            Voir les créneaux libres
          </button>
          {starts !== null ? (
            starts.length === 0 ? (
              <p>Aucun créneau libre ce jour-là.</p>
            ) : (
              <ul className="slot-choices" aria-label="Créneaux libres">
                {starts.map((start) => (
                  <li key={start}>
                    <button type="button" aria-pressed={time === start} onClick={() => setTime(start)}>
                      {start}
                    </button>
                  </li>
                ))}
              </ul>
            )
          ) : null}
        </fieldset>
        <button type="submit" disabled={busy}>
          {busy ? 'Réservation…' : 'Réserver et confirmer (paiement sur place)'}
        </button>
      </form>
      <StatusMessage message={message} />
    </section>
  );
}
