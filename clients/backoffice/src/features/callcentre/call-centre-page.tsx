import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, describeError } from '../../api/http.js';
import type {
  CancellationReason,
  CustomerBooking,
  CustomerHit,
  StaffBookingDetail,
} from '../../api/types.js';
import { useApi } from '../../auth/session.js';
import { ErrorAlert, Field, PageTitle, StatusMessage } from '../../ui/components.js';
import {
  CONTROL_LABELS,
  formatEuros,
  formatInstant,
  formatLocalDateTime,
  STATUS_LABELS,
} from '../../ui/format.js';
import { EventTimeline } from '../audit/event-timeline.js';
import { BookOnBehalfForm, type CustomerPrefill } from './booking-form.js';

type Criteria = { phone: string; plate: string; name: string; reference: string };
const EMPTY: Criteria = { phone: '', plate: '', name: '', reference: '' };

const CANCEL_REASONS: Record<CancellationReason, string> = {
  customer_request: 'Demande du client',
  centre_closure: 'Fermeture du centre',
  inspector_unavailable: 'Contrôleur indisponible',
  duplicate: 'Doublon',
  other: 'Autre',
};

/** Call centre: find a customer, see their booking and its history, book, move, cancel, resend. */
export function CallCentrePage() {
  const api = useApi();
  const [criteria, setCriteria] = useState<Criteria>(EMPTY);
  const [hits, setHits] = useState<CustomerHit[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [detail, setDetail] = useState<StaffBookingDetail | null>(null);
  const [prefill, setPrefill] = useState<CustomerPrefill | null>(null);
  const [history, setHistory] = useState<{ customerId: string; name: string } | null>(null);

  const search = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const filled = Object.fromEntries(Object.entries(criteria).filter(([, v]) => v.trim() !== ''));
    if (Object.keys(filled).length === 0) {
      setError(new Error('Saisissez au moins un critère : téléphone, immatriculation, nom ou référence.'));
      return;
    }
    try {
      const page = await api.searchCustomers(filled);
      setHits(page.items);
    } catch (err) {
      setHits(null);
      setError(err);
    }
  };

  /**
   * Opens a booking's detail. Just after a command the read model may not hold it yet (projections
   * apply events asynchronously): a 404 is retried a few times before it is shown.
   */
  const open = async (bookingId: string, attempts = 1) => {
    setError(null);
    for (let attempt = 1; ; attempt++) {
      try {
        setDetail(await api.bookingDetail(bookingId));
        return;
      } catch (err) {
        if (attempt >= attempts || !(err instanceof ApiError) || err.status !== 404) {
          setError(err);
          return;
        }
        await new Promise((done) => setTimeout(done, 500 * attempt));
      }
    }
  };

  const set = (key: keyof Criteria) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setCriteria((c) => ({ ...c, [key]: e.target.value }));

  return (
    <>
      <PageTitle>Centre d’appels</PageTitle>
      <section aria-labelledby="search-title" className="panel">
        <h2 id="search-title">Rechercher un client</h2>
        <form aria-labelledby="search-title" onSubmit={search} className="grid">
          <Field label="Téléphone">
            {(id) => <input id={id} type="tel" value={criteria.phone} onChange={set('phone')} />}
          </Field>
          <Field label="Immatriculation">
            {(id) => <input id={id} value={criteria.plate} onChange={set('plate')} />}
          </Field>
          <Field label="Nom">{(id) => <input id={id} value={criteria.name} onChange={set('name')} />}</Field>
          <Field label="Référence du rendez-vous">
            {(id) => <input id={id} value={criteria.reference} onChange={set('reference')} />}
          </Field>
          <div className="form-end">
            <button type="submit">Rechercher</button>
            <button type="button" onClick={() => setPrefill({})}>
              Nouveau client
            </button>
          </div>
        </form>
        {error ? <ErrorAlert error={error} /> : null}
        {hits !== null ? (
          hits.length === 0 ? (
            <p role="status">Aucun client trouvé.</p>
          ) : (
            <table>
              <caption>{hits.length} client(s) trouvé(s)</caption>
              <thead>
                <tr>
                  <th scope="col">Client</th>
                  <th scope="col">Contact</th>
                  <th scope="col">Véhicules</th>
                  <th scope="col">Dernier rendez-vous</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {hits.map((hit) => (
                  <tr key={hit.customerId}>
                    <th scope="row">{hit.name ?? '(données effacées)'}</th>
                    <td>
                      {hit.phone ?? '—'}
                      <br />
                      {hit.email ?? ''}
                    </td>
                    <td>{hit.plates.join(', ')}</td>
                    <td>
                      {hit.lastBooking
                        ? `${hit.lastBooking.reference} · ${formatLocalDateTime(hit.lastBooking.start)} · ${STATUS_LABELS[hit.lastBooking.status]}`
                        : '—'}{' '}
                      ({hit.bookingCount} au total)
                    </td>
                    <td className="actions">
                      <button
                        type="button"
                        onClick={() =>
                          setHistory({
                            customerId: hit.customerId,
                            name: hit.name ?? 'client aux données effacées',
                          })
                        }
                      >
                        Historique de {hit.name ?? 'ce client'}
                      </button>
                      {hit.lastBooking ? (
                        <button type="button" onClick={() => open(hit.lastBooking!.bookingId)}>
                          Ouvrir {hit.lastBooking.reference}
                        </button>
                      ) : null}
                      <button
                        type="button"
                        onClick={() =>
                          setPrefill({
                            ...(hit.name ? { name: hit.name } : {}),
                            ...(hit.email ? { email: hit.email } : {}),
                            ...(hit.phone ? { phone: hit.phone } : {}),
                            ...(hit.plates[0] ? { plate: hit.plates[0] } : {}),
                          })
                        }
                      >
                        Réserver pour {hit.name ?? 'ce client'}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        ) : null}
      </section>
      {history ? (
        <CustomerHistory
          key={history.customerId}
          customerId={history.customerId}
          name={history.name}
          onOpen={(bookingId) => open(bookingId)}
        />
      ) : null}
      {detail ? (
        <BookingDetail
          key={detail.booking.bookingId}
          detail={detail}
          onChanged={() => open(detail.booking.bookingId, 3)}
          onHistory={() =>
            setHistory({
              customerId: detail.booking.customerId,
              name: detail.booking.customer.name ?? 'client aux données effacées',
            })
          }
        />
      ) : null}
      {prefill ? (
        <BookOnBehalfForm
          key={JSON.stringify(prefill)}
          prefill={prefill}
          onBooked={(placed) => {
            void open(placed.bookingId, 6);
          }}
        />
      ) : null}
    </>
  );
}

function BookingDetail(props: { detail: StaffBookingDetail; onChanged: () => void; onHistory: () => void }) {
  const api = useApi();
  const { booking, history } = props.detail;
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [moveTo, setMoveTo] = useState(booking.start);
  const [reason, setReason] = useState<CancellationReason>('customer_request');
  const [comment, setComment] = useState('');
  const [resending, setResending] = useState(false);
  const active = booking.status === 'placed' || booking.status === 'confirmed';

  const act = async (ok: string, action: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await action();
      setMessage({ kind: 'ok', text: ok });
      props.onChanged();
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error) });
    }
  };

  return (
    <section aria-labelledby="detail-title" className="panel">
      <h2 id="detail-title">Rendez-vous {booking.reference}</h2>
      <dl className="facts">
        <dt>Statut</dt>
        <dd>{STATUS_LABELS[booking.status]}</dd>
        <dt>Centre</dt>
        <dd>
          {booking.centre.name}, {booking.centre.city}
        </dd>
        <dt>Date</dt>
        <dd>
          {formatLocalDateTime(booking.start)} ({booking.durationMinutes} min)
        </dd>
        <dt>Contrôle</dt>
        <dd>{CONTROL_LABELS[booking.controlType]}</dd>
        <dt>Véhicule</dt>
        <dd>
          {booking.vehicle.plate ?? '—'} · {booking.vehicle.category} · {booking.vehicle.fuel}
        </dd>
        <dt>Client</dt>
        <dd>
          {booking.customer.name ?? '—'} · {booking.customer.phone ?? '—'} · {booking.customer.email ?? '—'}
        </dd>
        <dt>Prix</dt>
        <dd>
          {formatEuros(booking.priceCents)} ({booking.paymentMode === 'on_site' ? 'sur place' : 'en ligne'})
        </dd>
        <dt>Canal</dt>
        <dd>{booking.channel}</dd>
        <dt>Réservé le</dt>
        <dd>{formatInstant(booking.placedAt)}</dd>
      </dl>
      <StatusMessage message={message} />
      {active ? (
        <div className="stack">
          {booking.status === 'placed' ? (
            <button
              type="button"
              onClick={() => act('Rendez-vous confirmé.', () => api.confirmOnSite(booking.bookingId))}
            >
              Confirmer (paiement sur place)
            </button>
          ) : null}
          <form
            className="inline-form"
            aria-label="Déplacer le rendez-vous"
            onSubmit={(e) => {
              e.preventDefault();
              void act('Rendez-vous déplacé.', () => api.reschedule(booking.bookingId, { start: moveTo }));
            }}
          >
            <Field label="Nouvelle date et heure">
              {(id) => (
                <input
                  id={id}
                  type="datetime-local"
                  required
                  step={300}
                  value={moveTo}
                  onChange={(e) => setMoveTo(e.target.value)}
                />
              )}
            </Field>
            <button type="submit">Déplacer</button>
          </form>
          <form
            className="inline-form"
            aria-label="Annuler le rendez-vous"
            onSubmit={(e) => {
              e.preventDefault();
              void act('Rendez-vous annulé.', () => api.cancel(booking.bookingId, reason, comment));
            }}
          >
            <Field label="Motif d’annulation">
              {(id) => (
                <select
                  id={id}
                  value={reason}
                  onChange={(e) => setReason(e.target.value as CancellationReason)}
                >
                  {Object.entries(CANCEL_REASONS).map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Commentaire">
              {(id) => (
                <input
                  id={id}
                  maxLength={1000}
                  value={comment}
                  onChange={(e) => setComment(e.target.value)}
                />
              )}
            </Field>
            <button type="submit">Annuler le rendez-vous</button>
          </form>
          {booking.status === 'confirmed' ? (
            <button
              type="button"
              disabled={resending}
              onClick={async () => {
                setResending(true);
                setMessage(null);
                try {
                  const resent = await api.resendConfirmation(booking.bookingId);
                  setMessage({ kind: 'ok', text: resentText(resent.messages) });
                } catch (error) {
                  setMessage({ kind: 'error', text: describeError(error) });
                } finally {
                  setResending(false);
                }
              }}
            >
              Renvoyer la confirmation
            </button>
          ) : null}
        </div>
      ) : null}
      <button type="button" className="link-button" onClick={props.onHistory}>
        Tous les rendez-vous de ce client
      </button>
      <h3>Historique</h3>
      <EventTimeline events={history} />
    </section>
  );
}

/** What the customer was sent again: "par e-mail à … (avec le fichier calendrier) et par SMS au …". */
export function resentText(
  messages: readonly { channel: 'email' | 'sms'; recipient: string; attachments: readonly unknown[] }[],
): string {
  const parts = messages
    .slice()
    .sort((a, b) => a.channel.localeCompare(b.channel))
    .map((m) =>
      m.channel === 'email'
        ? `par e-mail à ${m.recipient}${m.attachments.length > 0 ? ' (avec le fichier calendrier)' : ''}`
        : `par SMS au ${m.recipient}`,
    );
  return parts.length === 0 ? 'Confirmation renvoyée.' : `Confirmation renvoyée ${parts.join(' et ')}.`;
}

/** A customer's bookings, newest appointment first, page after page. */
function CustomerHistory(props: { customerId: string; name: string; onOpen: (bookingId: string) => void }) {
  const api = useApi();
  const [items, setItems] = useState<CustomerBooking[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);

  const load = async (cursor?: string) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api.customerBookings(props.customerId, cursor);
      setItems((before) => (cursor ? [...before, ...page.items] : page.items));
      setNext(page.nextCursor);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: loads once per customer (the component is keyed by it)
  useEffect(() => {
    void load();
  }, []);

  return (
    <section aria-labelledby="history-title" className="panel">
      <h2 id="history-title">Historique de {props.name}</h2>
      {error ? <ErrorAlert error={error} /> : null}
      {items.length > 0 ? (
        <table>
          <caption>{items.length} rendez-vous affiché(s)</caption>
          <thead>
            <tr>
              <th scope="col">Référence</th>
              <th scope="col">Date</th>
              <th scope="col">Contrôle</th>
              <th scope="col">Véhicule</th>
              <th scope="col">Statut</th>
              <th scope="col">Prix</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.bookingId}>
                <th scope="row">{item.reference}</th>
                <td>{formatLocalDateTime(item.start)}</td>
                <td>{CONTROL_LABELS[item.controlType]}</td>
                <td>{item.vehicle.plate ?? '—'}</td>
                <td>
                  {STATUS_LABELS[item.status]}
                  {item.result ? ` (${item.result})` : ''}
                </td>
                <td>{formatEuros(item.priceCents)}</td>
                <td>
                  <button type="button" onClick={() => props.onOpen(item.bookingId)}>
                    Ouvrir {item.reference}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {!loading && !error && items.length === 0 ? <p role="status">Aucun rendez-vous.</p> : null}
      {loading ? <p aria-busy="true">Chargement…</p> : null}
      {next !== null && !loading ? (
        <button type="button" onClick={() => load(next)}>
          Afficher les rendez-vous plus anciens
        </button>
      ) : null}
    </section>
  );
}
