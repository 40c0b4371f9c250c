import { type FormEvent, useEffect, useRef, useState } from 'react';
import { describeError } from '../../api/http.js';
import type { AgendaBlock, AgendaEntry, InspectionResult } from '../../api/types.js';
import { may } from '../../auth/roles.js';
import { useApi, usePrincipal } from '../../auth/session.js';
import { CentrePicker } from '../../ui/centre-picker.js';
import { Field, Loading, PageTitle, StatusMessage } from '../../ui/components.js';
import { addDays, CONTROL_LABELS, formatDate, RESULT_LABELS, STATUS_LABELS } from '../../ui/format.js';
import { useAsync } from '../../ui/use-async.js';
import { Timeline } from './timeline.js';

/** Refresh cadence of the live agenda (a poll: the read API has no push channel). */
export const AGENDA_POLL_MS = 15_000;

type Message = { kind: 'ok' | 'error'; text: string } | null;

export function DayAgendaPage(props: {
  centreId: string | null;
  date: string;
  onNavigate: (next: { centreId: string; date: string }) => void;
  pollMs?: number;
}) {
  const api = useApi();
  const principal = usePrincipal();
  const { centreId, date } = props;
  const {
    state,
    value: agenda,
    reload,
  } = useAsync(centreId === null ? null : () => api.agenda(centreId, date), `${centreId}/${date}`, {
    pollMs: props.pollMs ?? AGENDA_POLL_MS,
  });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [message, setMessage] = useState<Message>(null);

  const entries = agenda ? [...agenda.inspectors.flatMap((i) => i.entries), ...agenda.unassigned] : [];
  const selected = entries.find((entry) => entry.bookingId === selectedId) ?? null;
  const laneOf = (bookingId: string) =>
    agenda?.inspectors.find((i) => i.entries.some((e) => e.bookingId === bookingId))?.inspectorId ?? null;

  const act = async (label: string, action: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await action();
      setMessage({ kind: 'ok', text: label });
      reload();
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error) });
    }
  };

  return (
    <>
      <PageTitle>Journée du centre{agenda ? ` — ${agenda.centre.name}` : ''}</PageTitle>
      <div className="toolbar">
        <CentrePicker value={centreId} onChange={(next) => props.onNavigate({ centreId: next, date })} />
        {centreId !== null ? (
          <nav aria-label="Choix du jour" className="day-nav">
            <button type="button" onClick={() => props.onNavigate({ centreId, date: addDays(date, -1) })}>
              Jour précédent
            </button>
            <Field label="Jour">
              {(id) => (
                <input
                  id={id}
                  type="date"
                  value={date}
                  onChange={(e) => e.target.value && props.onNavigate({ centreId, date: e.target.value })}
                />
              )}
            </Field>
            <button type="button" onClick={() => props.onNavigate({ centreId, date: addDays(date, 1) })}>
              Jour suivant
            </button>
            <button type="button" onClick={reload}>
              Actualiser
            </button>
          </nav>
        ) : null}
      </div>
      <p className="subtitle">
        {formatDate(date)}
        {state.status === 'ready'
          ? ` · mis à jour à ${state.at.toLocaleTimeString('fr-FR')} (actualisation automatique)`
          : ''}
      </p>
      {centreId === null ? <p>Choisissez un centre.</p> : null}
      <StatusMessage message={message} />
      {state.status === 'error' ? <Loading state={state} /> : null}
      {agenda === undefined && state.status === 'loading' ? <p aria-busy="true">Chargement…</p> : null}
      {agenda ? (
        <div className="agenda-layout">
          <section aria-labelledby="timeline-title">
            <h2 id="timeline-title">Planning par contrôleur</h2>
            <Timeline
              agenda={agenda}
              selected={selectedId}
              onSelect={(entry) => setSelectedId(entry.bookingId)}
            />
          </section>
          {selected ? (
            <EntryPanel
              key={selected.bookingId}
              entry={selected}
              inspectors={agenda.inspectors.map((i) => ({ id: i.inspectorId, name: i.name }))}
              laneInspectorId={laneOf(selected.bookingId)}
              date={date}
              canCheckIn={may(principal.role, 'checkIn')}
              canRecordResult={may(principal.role, 'recordResult')}
              canNoShow={may(principal.role, 'noShow')}
              canMove={may(principal.role, 'move')}
              onCheckIn={(inspectorId) =>
                act('Arrivée enregistrée.', () => api.checkIn(selected.bookingId, inspectorId))
              }
              onResult={(result, inspectorId) =>
                act(`Résultat ${result} enregistré.`, () =>
                  api.recordResult(selected.bookingId, result, inspectorId),
                )
              }
              onNoShow={() => act('Absence enregistrée.', () => api.noShow(selected.bookingId))}
              onMove={(start) =>
                act(`Rendez-vous déplacé au ${start.replace('T', ' à ')}.`, () =>
                  api.reschedule(selected.bookingId, { start }),
                )
              }
              onClose={() => setSelectedId(null)}
            />
          ) : null}
          {centreId !== null && may(principal.role, 'block') ? (
            <BlockForm
              inspectors={agenda.inspectors.map((i) => ({ id: i.inspectorId, name: i.name }))}
              blocks={[
                ...agenda.centreBlocks.map((block) => ({ ...block, who: 'Tout le centre' })),
                ...agenda.inspectors.flatMap((i) => i.blocks.map((block) => ({ ...block, who: i.name }))),
              ]}
              onBlock={(body) =>
                act(`Période ${body.from}–${body.to} bloquée.`, () => api.blockPeriod(centreId, date, body))
              }
              onUnblock={(block) =>
                act(`Période ${block.from}–${block.to} débloquée.`, () =>
                  api.unblockPeriod(centreId, date, block.blockId),
                )
              }
            />
          ) : null}
        </div>
      ) : null}
    </>
  );
}

function EntryPanel(props: {
  entry: AgendaEntry;
  inspectors: { id: string; name: string }[];
  laneInspectorId: string | null;
  date: string;
  canCheckIn: boolean;
  canRecordResult: boolean;
  canNoShow: boolean;
  canMove: boolean;
  onCheckIn: (inspectorId: string | undefined) => void;
  onResult: (result: InspectionResult, inspectorId: string | undefined) => void;
  onNoShow: () => void;
  onMove: (start: string) => void;
  onClose: () => void;
}) {
  const { entry } = props;
  const [moveDate, setMoveDate] = useState(props.date);
  const [moveTime, setMoveTime] = useState(entry.start);
  const active = entry.status === 'placed' || entry.status === 'confirmed';
  // Keyboard and screen-reader users land on the detail they just opened.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  // Who does the control: the lane's inspector by default (an overbooked entry has none yet).
  const [inspectorId, setInspectorId] = useState(props.laneInspectorId ?? props.inspectors[0]?.id ?? '');
  const showInspector =
    (props.canCheckIn && active) || (props.canRecordResult && entry.status === 'checked_in');
  return (
    <section aria-labelledby="entry-title" className="panel">
      <h2 id="entry-title" tabIndex={-1} ref={heading}>
        Rendez-vous {entry.reference}
      </h2>
      <dl className="facts">
        <dt>Horaire</dt>
        <dd>
          {entry.start}–{entry.end} ({entry.durationMinutes} min)
        </dd>
        <dt>Statut</dt>
        <dd>
          {STATUS_LABELS[entry.status]}
          {entry.overbooked ? ' · surbooking' : ''}
        </dd>
        <dt>Contrôle</dt>
        <dd>{CONTROL_LABELS[entry.controlType]}</dd>
        <dt>Véhicule</dt>
        <dd>
          {entry.vehicle.plate ?? '—'} · {entry.vehicle.category} · {entry.vehicle.fuel}
        </dd>
        <dt>Client</dt>
        <dd>
          {entry.customerName ?? '—'} {entry.customerPhone ? `· ${entry.customerPhone}` : ''}
        </dd>
        {entry.result ? (
          <>
            <dt>Résultat</dt>
            <dd>{RESULT_LABELS[entry.result]}</dd>
          </>
        ) : null}
      </dl>
      {showInspector && props.inspectors.length > 0 ? (
        <Field label="Contrôleur qui réalise le contrôle">
          {(id) => (
            <select id={id} value={inspectorId} onChange={(e) => setInspectorId(e.target.value)}>
              {props.inspectors.map((inspector) => (
                <option key={inspector.id} value={inspector.id}>
                  {inspector.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : null}
      <div className="actions">
        {props.canCheckIn && active ? (
          <button type="button" onClick={() => props.onCheckIn(inspectorId || undefined)}>
            Enregistrer l’arrivée
          </button>
        ) : null}
        {props.canNoShow && active ? (
          <button type="button" onClick={props.onNoShow}>
            Client absent
          </button>
        ) : null}
      </div>
      {props.canRecordResult && entry.status === 'checked_in' ? (
        <fieldset>
          <legend>Résultat du contrôle</legend>
          {(['A', 'S', 'R'] as const).map((result) => (
            <button
              key={result}
              type="button"
              onClick={() => props.onResult(result, inspectorId || undefined)}
            >
              {RESULT_LABELS[result]}
            </button>
          ))}
        </fieldset>
      ) : null}
      {props.canMove && active ? (
        <form
          className="inline-form"
          aria-label="Déplacer le rendez-vous"
          onSubmit={(event) => {
            event.preventDefault();
            props.onMove(`${moveDate}T${moveTime}`);
          }}
        >
          <Field label="Nouveau jour">
            {(id) => (
              <input
                id={id}
                type="date"
                required
                value={moveDate}
                onChange={(e) => setMoveDate(e.target.value)}
              />
            )}
          </Field>
          <Field label="Nouvelle heure">
            {(id) => (
              <input
                id={id}
                type="time"
                required
                step={300}
                value={moveTime}
                onChange={(e) => setMoveTime(e.target.value)}
              />
            )}
          </Field>
          <button type="submit">Déplacer</button>
        </form>
      ) : null}
      <button type="button" className="link-button" onClick={props.onClose}>
        Fermer le détail
      </button>
    </section>
  );
}

type DayBlock = AgendaBlock & { who: string };

function BlockForm(props: {
  inspectors: { id: string; name: string }[];
  /** The day's blocked periods, each with who it concerns. */
  blocks: DayBlock[];
  onBlock: (body: { from: string; to: string; label: string; inspectorId?: string }) => void;
  onUnblock: (block: DayBlock) => void;
}) {
  const [from, setFrom] = useState('12:00');
  const [to, setTo] = useState('13:00');
  const [label, setLabel] = useState('');
  const [inspectorId, setInspectorId] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onBlock({ from, to, label, ...(inspectorId ? { inspectorId } : {}) });
  };
  return (
    <section aria-labelledby="block-title" className="panel">
      <h2 id="block-title">Bloquer une période</h2>
      <form onSubmit={submit} className="inline-form">
        <Field label="De">
          {(id) => (
            <input id={id} type="time" required value={from} onChange={(e) => setFrom(e.target.value)} />
          )}
        </Field>
        <Field label="À">
          {(id) => <input id={id} type="time" required value={to} onChange={(e) => setTo(e.target.value)} />}
        </Field>
        <Field label="Contrôleur">
          {(id) => (
            <select id={id} value={inspectorId} onChange={(e) => setInspectorId(e.target.value)}>
              <option value="">Tout le centre</option>
              {props.inspectors.map((inspector) => (
                <option key={inspector.id} value={inspector.id}>
                  {inspector.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Motif">
          {(id) => (
            <input
              id={id}
              required
              maxLength={200}
              value={label}
              onChange={(e) => setLabel(e.target.value)}
            />
          )}
        </Field>
        <button type="submit">Bloquer</button>
      </form>
      <h3 id="blocked-title">Périodes bloquées</h3>
      {props.blocks.length === 0 ? (
        <p>Aucune période bloquée ce jour.</p>
      ) : (
        <ul aria-labelledby="blocked-title" className="stack">
          {[...props.blocks]
            .sort((a, b) => a.from.localeCompare(b.from))
            .map((block) => (
              <li key={block.blockId}>
                {block.from}–{block.to} · {block.who} · {block.label}{' '}
                <button
                  type="button"
                  aria-label={`Débloquer ${block.from}–${block.to} (${block.who}, ${block.label})`}
                  onClick={() => props.onUnblock(block)}
                >
                  Débloquer
                </button>
              </li>
            ))}
        </ul>
      )}
    </section>
  );
}
