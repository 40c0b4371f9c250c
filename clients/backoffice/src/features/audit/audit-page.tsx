import { type FormEvent, useState } from 'react';
import { describeError } from '../../api/http.js';
import type { AuditEvent, StreamStateAtInstant } from '../../api/types.js';
import { useApi } from '../../auth/session.js';
import { CentrePicker, useDefaultCentre } from '../../ui/centre-picker.js';
import { ErrorAlert, Field, PageTitle } from '../../ui/components.js';
import { formatInstant, instantToParisLocal, parisLocalToInstant, parisToday } from '../../ui/format.js';
import { EventTimeline } from './event-timeline.js';

type Subject = 'booking' | 'calendar' | 'centre';

const SUBJECT_LABELS: Record<Subject, string> = {
  booking: 'Un rendez-vous',
  calendar: 'Une journée de calendrier',
  centre: 'Un centre',
};

/** The ledger's stream name of what the auditor picked (DESIGN.md §4–5). */
export function streamOf(
  subject: Subject,
  ids: { bookingId: string; centreId: string | null; date: string },
): string | null {
  if (subject === 'booking')
    return ids.bookingId.trim() === '' ? null : `booking-${ids.bookingId.trim().toLowerCase()}`;
  if (ids.centreId === null) return null;
  return subject === 'centre' ? `centre-${ids.centreId}` : `calendar-${ids.centreId}-${ids.date}`;
}

/**
 * Audit: the full history of a booking, a calendar day or a centre (who, when, what, why), and
 * its state as it was at a chosen instant, replayed by the server through the deciders' `evolve`.
 */
export function AuditPage(props: { initialStream?: string }) {
  const api = useApi();
  const [subject, setSubject] = useState<Subject>('booking');
  const [bookingId, setBookingId] = useState('');
  const [centreId, setCentreId] = useState<string | null>(useDefaultCentre());
  const [date, setDate] = useState(parisToday());
  const [actor, setActor] = useState('');
  const [stream, setStream] = useState<string | null>(props.initialStream ?? null);
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [atLocal, setAtLocal] = useState(instantToParisLocal(new Date().toISOString()));
  const [snapshot, setSnapshot] = useState<StreamStateAtInstant | null>(null);
  const [stateError, setStateError] = useState<string | null>(null);

  const load = async (event?: FormEvent) => {
    event?.preventDefault();
    const name = streamOf(subject, { bookingId, centreId, date });
    setError(null);
    setSnapshot(null);
    if (name === null) {
      setError(new Error('Précisez le rendez-vous ou le centre.'));
      return;
    }
    try {
      const page = await api.auditTrail(name, actor.trim() ? { actor: actor.trim() } : {});
      setStream(name);
      setEvents(page.items);
      setNextCursor(page.nextCursor);
    } catch (err) {
      setStream(name);
      setEvents(null);
      setError(err);
    }
  };

  const more = async () => {
    if (stream === null || nextCursor === null) return;
    try {
      const page = await api.auditTrail(stream, {
        cursor: nextCursor,
        ...(actor.trim() ? { actor: actor.trim() } : {}),
      });
      setEvents((known) => [...(known ?? []), ...page.items]);
      setNextCursor(page.nextCursor);
    } catch (err) {
      setError(err);
    }
  };

  const showState = async (at: string) => {
    if (stream === null) return;
    setStateError(null);
    try {
      setSnapshot(await api.stateAt(stream, at));
    } catch (err) {
      setSnapshot(null);
      setStateError(describeError(err));
    }
  };

  return (
    <>
      <PageTitle>Audit</PageTitle>
      <section aria-labelledby="audit-pick" className="panel">
        <h2 id="audit-pick">Que voulez-vous examiner ?</h2>
        <fieldset>
          <legend>Objet</legend>
          {(Object.keys(SUBJECT_LABELS) as Subject[]).map((value) => (
            <label key={value} className="radio">
              <input
                type="radio"
                name="subject"
                value={value}
                checked={subject === value}
                onChange={() => setSubject(value)}
              />{' '}
              {SUBJECT_LABELS[value]}
            </label>
          ))}
        </fieldset>
        {subject !== 'booking' ? <CentrePicker value={centreId} onChange={setCentreId} /> : null}
        <form onSubmit={load} className="inline-form" aria-label="Charger l’historique">
          {subject === 'booking' ? (
            <Field label="Identifiant du rendez-vous">
              {(id) => (
                <input id={id} required value={bookingId} onChange={(e) => setBookingId(e.target.value)} />
              )}
            </Field>
          ) : null}
          {subject === 'calendar' ? (
            <Field label="Jour">
              {(id) => (
                <input id={id} type="date" required value={date} onChange={(e) => setDate(e.target.value)} />
              )}
            </Field>
          ) : null}
          <Field label="Auteur (identifiant, facultatif)">
            {(id) => <input id={id} value={actor} onChange={(e) => setActor(e.target.value)} />}
          </Field>
          <button type="submit">Afficher l’historique</button>
        </form>
        {error ? <ErrorAlert error={error} /> : null}
      </section>
      {stream !== null && events !== null ? (
        <div className="audit-layout">
          <section aria-labelledby="history-title" className="panel">
            <h2 id="history-title">Historique de {stream}</h2>
            <p>{events.length} événement(s)</p>
            <EventTimeline
              events={events}
              onPickInstant={(iso) => {
                setAtLocal(instantToParisLocal(iso));
                void showState(iso);
              }}
            />
            {nextCursor !== null ? (
              <button type="button" onClick={more}>
                Événements suivants
              </button>
            ) : null}
          </section>
          <section aria-labelledby="state-title" className="panel">
            <h2 id="state-title">État à un instant</h2>
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                void showState(parisLocalToInstant(atLocal));
              }}
            >
              <Field label="Instant (heure de Paris)">
                {(id) => (
                  <input
                    id={id}
                    type="datetime-local"
                    step={1}
                    required
                    value={atLocal}
                    onChange={(e) => setAtLocal(e.target.value)}
                  />
                )}
              </Field>
              <button type="submit">Voir l’état à cet instant</button>
            </form>
            {stateError ? <p role="alert">{stateError}</p> : null}
            {snapshot ? (
              <div aria-live="polite">
                <p>
                  {snapshot.exists
                    ? `État au ${formatInstant(snapshot.at)} : révision ${snapshot.revision}, ${snapshot.eventsApplied} événement(s) appliqué(s)${snapshot.lastEventAt ? `, dernier le ${formatInstant(snapshot.lastEventAt)}` : ''}.`
                    : `Au ${formatInstant(snapshot.at)}, cet objet n’existait pas encore.`}
                </p>
                {snapshot.exists ? <StateView state={snapshot.state} /> : null}
              </div>
            ) : null}
          </section>
        </div>
      ) : null}
    </>
  );
}

/** The folded state: its top-level fields as a definition list, nested values as JSON. */
function StateView({ state }: { state: Record<string, unknown> }) {
  return (
    <dl className="facts state-view">
      {Object.entries(state).map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>
            {typeof value === 'object' && value !== null ? (
              <pre>{JSON.stringify(value, null, 2)}</pre>
            ) : (
              String(value)
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
