import { type FormEvent, useEffect, useState } from 'react';
import { describeError } from '../../api/http.js';
import {
  ACCREDITATIONS,
  type Accreditation,
  type CentreCard,
  CONTROL_TYPES,
  type ControlType,
  FUELS,
  type Fuel,
  type PriceEntry,
  VEHICLE_CATEGORIES,
  type VehicleCategory,
  type WeekHours,
} from '../../api/types.js';
import { canSee, may } from '../../auth/roles.js';
import { useApi, usePrincipal } from '../../auth/session.js';
import { CentrePicker } from '../../ui/centre-picker.js';
import { Field, PageTitle, StatusMessage } from '../../ui/components.js';
import { addDays, parisToday } from '../../ui/format.js';
import { type AffectedBooking, bookingsAffectedByAbsence } from './absence-impact.js';
import { type AdminCentreState, readCentreState } from './centre-state.js';
import { cleanWeek, emptyWeek, WeekEditor } from './week-editor.js';

type Message = { kind: 'ok' | 'error'; text: string } | null;

interface InspectorRow {
  readonly inspectorId: string;
  readonly name: string;
  readonly accreditations: Accreditation[];
  /** Known only from the centre's state (roles that may read the audit); null: not known here. */
  readonly week: WeekHours | null;
  readonly absences: AdminCentreState['inspectors'][number]['absences'];
}

/** Centre administration: hours, closures, prices, policy, inspectors, schedules, absences. */
export function CentreAdminPage(props: { centreId: string | null; onCentre: (centreId: string) => void }) {
  const api = useApi();
  const principal = usePrincipal();
  const { centreId } = props;
  const [card, setCard] = useState<CentreCard | null>(null);
  const [inspectors, setInspectors] = useState<InspectorRow[]>([]);
  const [state, setState] = useState<AdminCentreState | null>(null);
  const readsState = canSee(principal.role, 'audit');
  const [message, setMessage] = useState<Message>(null);
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` reloads after each saved change.
  useEffect(() => {
    if (centreId === null) return;
    let live = true;
    // (The last action's message stays: this effect also runs to reload after that action.)
    api.centre(centreId).then(
      (loaded) => live && setCard(loaded),
      (error: unknown) => live && setMessage({ kind: 'error', text: `Centre : ${describeError(error)}` }),
    );
    // With audit access, the centre's current state (every inspector, schedules, policy, closures).
    if (readsState) {
      api.stateAt(`centre-${centreId}`, new Date().toISOString()).then(
        (snapshot) => {
          if (!live) return;
          const read = readCentreState(snapshot.state);
          setState(read);
          setInspectors(read.inspectors);
        },
        () => live && setState(null),
      );
      return () => {
        live = false;
      };
    }
    // Otherwise: the union of the next seven days' agendas (every scheduled inspector appears in one).
    const today = parisToday();
    Promise.allSettled([0, 1, 2, 3, 4, 5, 6].map((d) => api.agenda(centreId, addDays(today, d)))).then(
      (results) => {
        if (!live) return;
        const byId = new Map<string, InspectorRow>();
        for (const result of results) {
          if (result.status !== 'fulfilled') continue;
          for (const i of result.value.inspectors)
            byId.set(i.inspectorId, {
              inspectorId: i.inspectorId,
              name: i.name,
              accreditations: i.accreditations,
              week: null,
              absences: [],
            });
        }
        setInspectors([...byId.values()].sort((a, b) => a.name.localeCompare(b.name, 'fr')));
      },
    );
    return () => {
      live = false;
    };
  }, [api, centreId, generation, readsState]);

  const act = async (ok: string, action: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await action();
      setMessage({ kind: 'ok', text: ok });
      setGeneration((g) => g + 1);
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error) });
    }
  };

  return (
    <>
      <PageTitle>Administration du centre{card ? ` — ${card.name}` : ''}</PageTitle>
      <CentrePicker value={centreId} onChange={props.onCentre} />
      <StatusMessage message={message} />
      {centreId === null ? <p>Choisissez un centre.</p> : null}
      {centreId !== null && card ? (
        <div className="admin-grid">
          <HoursSection
            key={`h-${card.centreId}-${generation}`}
            card={card}
            onSave={(week) => act('Horaires enregistrés.', () => api.setOpeningHours(centreId, week))}
          />
          <ClosureSection
            closures={state?.closures ?? null}
            onAdd={(body) => act('Fermeture ajoutée.', () => api.addClosure(centreId, body))}
          />
          <PriceSection
            key={`p-${card.centreId}-${generation}`}
            card={card}
            onSave={(entries) => act('Tarifs enregistrés.', () => api.setPriceList(centreId, entries))}
          />
          {may(principal.role, 'setPolicy') ? (
            <PolicySection
              current={state?.policy ?? {}}
              onSave={(patch) =>
                act('Politique de réservation enregistrée.', () => api.setPolicy(centreId, patch))
              }
            />
          ) : null}
          <InspectorsSection centreId={centreId} inspectors={inspectors} act={act} />
        </div>
      ) : null}
    </>
  );
}

function HoursSection(props: { card: CentreCard; onSave: (week: WeekHours) => void }) {
  const [week, setWeek] = useState<WeekHours>(() => ({ ...emptyWeek(), ...props.card.openingHours }));
  return (
    <section aria-labelledby="hours-title" className="panel">
      <h2 id="hours-title">Horaires d’ouverture</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          props.onSave(cleanWeek(week));
        }}
      >
        <WeekEditor legend="Semaine type" value={week} onChange={setWeek} />
        <button type="submit">Enregistrer les horaires</button>
      </form>
    </section>
  );
}

function ClosureSection(props: {
  closures: AdminCentreState['closures'] | null;
  onAdd: (body: { from: string; to: string; label: string }) => void;
}) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [label, setLabel] = useState('');
  return (
    <section aria-labelledby="closure-title" className="panel">
      <h2 id="closure-title">Fermetures exceptionnelles</h2>
      {props.closures !== null && props.closures.length > 0 ? (
        <ul>
          {props.closures.map((c) => (
            <li key={c.closureId}>
              du {c.from} au {c.to} : {c.label}
            </li>
          ))}
        </ul>
      ) : null}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          props.onAdd({ from, to, label });
        }}
      >
        <Field label="Premier jour fermé">
          {(id) => (
            <input id={id} type="date" required value={from} onChange={(e) => setFrom(e.target.value)} />
          )}
        </Field>
        <Field label="Dernier jour fermé">
          {(id) => <input id={id} type="date" required value={to} onChange={(e) => setTo(e.target.value)} />}
        </Field>
        <Field label="Motif de fermeture">
          {(id) => <input id={id} required value={label} onChange={(e) => setLabel(e.target.value)} />}
        </Field>
        <button type="submit">Ajouter la fermeture</button>
      </form>
    </section>
  );
}

function PriceSection(props: { card: CentreCard; onSave: (entries: PriceEntry[]) => void }) {
  const [rows, setRows] = useState<PriceEntry[]>(props.card.prices);
  const update = (index: number, patch: Partial<PriceEntry>) =>
    setRows((all) => all.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <section aria-labelledby="prices-title" className="panel">
      <h2 id="prices-title">Tarifs (TTC)</h2>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          props.onSave(rows);
        }}
      >
        <table>
          <thead>
            <tr>
              <th scope="col">Contrôle</th>
              <th scope="col">Catégorie</th>
              <th scope="col">Énergie</th>
              <th scope="col">Prix (€)</th>
              <th scope="col">Retirer</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => {
              const name = `ligne ${index + 1}`;
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place, the index is their identity.
                <tr key={index}>
                  <td>
                    <select
                      aria-label={`Contrôle, ${name}`}
                      value={row.controlType}
                      onChange={(e) => update(index, { controlType: e.target.value as ControlType })}
                    >
                      {CONTROL_TYPES.map((c) => (
                        <option key={c}>{c}</option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <select
                      aria-label={`Catégorie, ${name}`}
                      value={row.vehicleCategory}
                      onChange={(e) => update(index, { vehicleCategory: e.target.value as VehicleCategory })}
                    >
                      {VEHICLE_CATEGORIES.map((c) => (
                        <option key={c}>{c}</option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <select
                      aria-label={`Énergie, ${name}`}
                      value={row.fuel ?? ''}
                      onChange={(e) =>
                        update(index, { fuel: e.target.value === '' ? null : (e.target.value as Fuel) })
                      }
                    >
                      <option value="">Toutes (par défaut)</option>
                      {FUELS.map((f) => (
                        <option key={f}>{f}</option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input
                      aria-label={`Prix en euros, ${name}`}
                      type="number"
                      min={0}
                      step={0.01}
                      value={(row.priceCents / 100).toFixed(2)}
                      onChange={(e) =>
                        update(index, { priceCents: Math.round(Number(e.target.value) * 100) })
                      }
                    />
                  </td>
                  <td>
                    <button type="button" onClick={() => setRows((all) => all.filter((_, i) => i !== index))}>
                      Retirer la {name}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <button
          type="button"
          onClick={() =>
            setRows((all) => [
              ...all,
              { controlType: 'CTP', vehicleCategory: 'VP', fuel: null, priceCents: 0 },
            ])
          }
        >
          Ajouter une ligne
        </button>{' '}
        <button type="submit">Enregistrer les tarifs</button>
      </form>
    </section>
  );
}

const POLICY_FIELDS = [
  ['holdMinutes', 'Durée d’option (minutes)'],
  ['overbookingPercent', 'Surbooking autorisé (%)'],
  ['minimumNoticeMinutes', 'Délai minimum de réservation (minutes)'],
  ['horizonDays', 'Horizon de réservation (jours)'],
  ['cancellationCutoffHours', 'Annulation possible jusqu’à (heures avant)'],
  ['freeContreVisiteDays', 'Contre-visite gratuite pendant (jours)'],
] as const;

function PolicySection(props: {
  current: Record<string, number>;
  onSave: (patch: Record<string, number>) => void;
}) {
  const [values, setValues] = useState<Record<string, string>>({});
  return (
    <section aria-labelledby="policy-title" className="panel">
      <h2 id="policy-title">Politique de réservation</h2>
      <p className="muted">Seuls les champs remplis sont modifiés.</p>
      <form
        className="grid"
        onSubmit={(e) => {
          e.preventDefault();
          const patch: Record<string, number> = {};
          for (const [key, text] of Object.entries(values)) if (text !== '') patch[key] = Number(text);
          props.onSave(patch);
        }}
      >
        {POLICY_FIELDS.map(([key, label]) => (
          <Field
            key={key}
            label={label}
            {...(props.current[key] === undefined ? {} : { hint: `Actuellement : ${props.current[key]}` })}
          >
            {(id) => (
              <input
                id={id}
                type="number"
                min={0}
                {...(props.current[key] === undefined ? {} : { 'aria-describedby': `${id}-hint` })}
                value={values[key] ?? ''}
                onChange={(e) => setValues((v) => ({ ...v, [key]: e.target.value }))}
              />
            )}
          </Field>
        ))}
        <div className="form-end">
          <button type="submit">Enregistrer la politique</button>
        </div>
      </form>
    </section>
  );
}

function AccreditationBoxes(props: {
  legend: string;
  value: Accreditation[];
  onChange: (next: Accreditation[]) => void;
}) {
  return (
    <fieldset className="checkboxes">
      <legend>{props.legend}</legend>
      {ACCREDITATIONS.map((a) => (
        <label key={a}>
          <input
            type="checkbox"
            checked={props.value.includes(a)}
            onChange={(e) =>
              props.onChange(e.target.checked ? [...props.value, a] : props.value.filter((x) => x !== a))
            }
          />{' '}
          {a}
        </label>
      ))}
    </fieldset>
  );
}

function InspectorsSection(props: {
  centreId: string;
  inspectors: InspectorRow[];
  act: (ok: string, action: () => Promise<unknown>) => Promise<void>;
}) {
  const api = useApi();
  const [name, setName] = useState('');
  const [accreditations, setAccreditations] = useState<Accreditation[]>(['VL']);
  return (
    <section aria-labelledby="inspectors-title" className="panel">
      <h2 id="inspectors-title">Contrôleurs</h2>
      {props.inspectors.length === 0 ? <p>Aucun contrôleur planifié cette semaine.</p> : null}
      {props.inspectors.map((inspector) => (
        <InspectorCard
          key={inspector.inspectorId}
          centreId={props.centreId}
          inspector={inspector}
          act={props.act}
        />
      ))}
      <form
        className="subpanel"
        onSubmit={(e) => {
          e.preventDefault();
          void props.act(`Contrôleur ${name} ajouté.`, () =>
            api.addInspector(props.centreId, { name, accreditations }),
          );
        }}
      >
        <h3>Ajouter un contrôleur</h3>
        <Field label="Nom du contrôleur">
          {(id) => <input id={id} required value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <AccreditationBoxes
          legend="Habilitations du nouveau contrôleur"
          value={accreditations}
          onChange={setAccreditations}
        />
        <button type="submit">Ajouter</button>
      </form>
    </section>
  );
}

const ABSENCE_LABELS: Record<string, string> = { leave: 'congé', training: 'formation', other: 'autre' };

function InspectorCard(props: {
  centreId: string;
  inspector: InspectorRow;
  act: (ok: string, action: () => Promise<unknown>) => Promise<void>;
}) {
  const api = useApi();
  const { inspector, centreId } = props;
  const [accreditations, setAccreditations] = useState<Accreditation[]>(inspector.accreditations);
  const [week, setWeek] = useState<WeekHours>(inspector.week ?? emptyWeek());
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [kind, setKind] = useState<'leave' | 'training' | 'other'>('leave');
  const [affected, setAffected] = useState<AffectedBooking[] | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);

  const preview = async (event: FormEvent) => {
    event.preventDefault();
    setPreviewError(null);
    setAffected(null);
    try {
      setAffected(await bookingsAffectedByAbsence(api, centreId, inspector.inspectorId, from, to));
    } catch (error) {
      setPreviewError(describeError(error));
    }
  };

  return (
    <details className="subpanel">
      <summary>
        {inspector.name} ({inspector.accreditations.join(', ')})
      </summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void props.act('Habilitations enregistrées.', () =>
            api.setAccreditations(centreId, inspector.inspectorId, accreditations),
          );
        }}
      >
        <AccreditationBoxes
          legend={`Habilitations de ${inspector.name}`}
          value={accreditations}
          onChange={setAccreditations}
        />
        <button type="submit">Enregistrer les habilitations</button>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void props.act('Planning enregistré.', () =>
            api.setSchedule(centreId, inspector.inspectorId, cleanWeek(week)),
          );
        }}
      >
        {inspector.week === null ? (
          <p className="muted">
            Planning actuel non disponible pour votre rôle : saisissez la semaine complète, elle remplace
            l’actuelle.
          </p>
        ) : null}
        <WeekEditor legend={`Planning hebdomadaire de ${inspector.name}`} value={week} onChange={setWeek} />
        <button type="submit">Enregistrer le planning</button>
      </form>
      {inspector.absences.length > 0 ? (
        <ul aria-label={`Absences de ${inspector.name}`}>
          {inspector.absences.map((absence) => (
            <li key={absence.absenceId}>
              {absence.from.replace('T', ' ')} → {absence.to.replace('T', ' ')} (
              {ABSENCE_LABELS[absence.kind] ?? absence.kind})
            </li>
          ))}
        </ul>
      ) : null}
      <form onSubmit={preview} className="inline-form" aria-label={`Absence de ${inspector.name}`}>
        <Field label="Début de l’absence">
          {(id) => (
            <input
              id={id}
              type="datetime-local"
              required
              value={from}
              onChange={(e) => {
                setFrom(e.target.value);
                setAffected(null);
              }}
            />
          )}
        </Field>
        <Field label="Fin de l’absence">
          {(id) => (
            <input
              id={id}
              type="datetime-local"
              required
              value={to}
              onChange={(e) => {
                setTo(e.target.value);
                setAffected(null);
              }}
            />
          )}
        </Field>
        <Field label="Nature">
          {(id) => (
            <select id={id} value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
              <option value="leave">Congé</option>
              <option value="training">Formation</option>
              <option value="other">Autre</option>
            </select>
          )}
        </Field>
        <button type="submit">Voir les rendez-vous concernés</button>
      </form>
      {previewError ? <p role="alert">{previewError}</p> : null}
      {affected !== null ? (
        <section aria-label="Rendez-vous concernés par l’absence" className="impact">
          {affected.length === 0 ? (
            <p>Aucun rendez-vous concerné.</p>
          ) : (
            <>
              <p>
                <strong>{affected.length} rendez-vous concerné(s)</strong> : ils devront être réaffectés ou
                déplacés.
              </p>
              <ul>
                {affected.map(({ date, entry }) => (
                  <li key={entry.bookingId}>
                    {date} {entry.start}–{entry.end} · {entry.reference} · {entry.customerName ?? '—'} ·{' '}
                    {entry.vehicle.plate ?? ''}
                  </li>
                ))}
              </ul>
            </>
          )}
          <button
            type="button"
            onClick={() =>
              props.act('Absence enregistrée.', () =>
                api.addAbsence(centreId, inspector.inspectorId, { from, to, kind }),
              )
            }
          >
            Confirmer l’absence
          </button>
        </section>
      ) : null}
    </details>
  );
}
