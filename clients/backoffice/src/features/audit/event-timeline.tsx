import type { AuditEvent } from '../../api/types.js';
import { ROLE_LABELS } from '../../auth/roles.js';
import { formatInstant } from '../../ui/format.js';
import { eventLabel, eventReason } from './event-labels.js';

/** A stream's events as an ordered list: when, who (role and id), what, why; data on demand. */
export function EventTimeline(props: {
  events: readonly AuditEvent[];
  onPickInstant?: (iso: string) => void;
}) {
  if (props.events.length === 0) return <p>Aucun événement.</p>;
  return (
    <ol className="event-timeline">
      {props.events.map((event) => {
        const why = eventReason(event.data);
        return (
          <li key={event.eventId}>
            <p>
              <time dateTime={event.occurredAt}>{formatInstant(event.occurredAt)}</time> —{' '}
              <strong>{eventLabel(event.type)}</strong>{' '}
              <span className="muted">
                ({event.type}, n° {event.revision})
              </span>
            </p>
            <p>
              Par {ROLE_LABELS[event.actor.role] ?? event.actor.role} <code>{event.actor.id}</code>
              {why ? (
                <>
                  {' '}
                  · motif : <em>{why}</em>
                </>
              ) : null}
            </p>
            <details>
              <summary>Données de l’événement {event.revision}</summary>
              <pre>{JSON.stringify(event.data, null, 2)}</pre>
              <p className="muted">Corrélation {event.correlationId}</p>
            </details>
            {props.onPickInstant ? (
              <button
                type="button"
                className="link-button"
                onClick={() => props.onPickInstant?.(event.occurredAt)}
              >
                État juste après l’événement {event.revision}
              </button>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
