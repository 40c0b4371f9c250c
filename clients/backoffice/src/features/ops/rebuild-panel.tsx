import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { ApiError, describeError } from '../../api/http.js';
import type { ProjectionRebuild } from '../../api/types.js';
import { useApi } from '../../auth/session.js';

const STATE_TEXT: Record<ProjectionRebuild['state'], string> = {
  running: 'en cours',
  done: 'terminée',
  failed: 'en échec',
};

const number = new Intl.NumberFormat('fr-FR');

function formatEta(seconds: number | null): string {
  if (seconds === null) return 'inconnue';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(Math.ceil(seconds % 60)).padStart(2, '0')} s`;
}

function targetLabel(target: string): string {
  return target === 'all' ? 'toutes les projections' : `la projection ${target}`;
}

/** The blue/green rebuild's progress: an accessible progress bar, rate, ETA and final state. */
export function RebuildProgressView({ rebuild }: { rebuild: ProjectionRebuild }) {
  const labelId = useId();
  const percentage = rebuild.state === 'done' ? 100 : rebuild.percentage;
  const rounded = percentage === null ? undefined : Math.round(percentage);
  return (
    <div className="rebuild-progress">
      <p id={labelId}>
        Reconstruction de {targetLabel(rebuild.target)} : <strong>{STATE_TEXT[rebuild.state]}</strong>
        {rebuild.state === 'running' && rebuild.current !== null ? ` (${rebuild.current})` : ''}
      </p>
      <div
        role="progressbar"
        aria-labelledby={labelId}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={rounded}
        aria-valuetext={rounded === undefined ? 'avancement inconnu' : `${rounded} %`}
        className="progress"
      >
        <div className="progress-bar" style={{ width: `${rounded ?? 0}%` }} />
      </div>
      <p aria-live="polite">
        {number.format(rebuild.eventsProcessed)} événements traités ·{' '}
        {number.format(Math.round(rebuild.eventsPerSecond))} événements/s
        {rebuild.state === 'running' ? ` · temps restant estimé : ${formatEta(rebuild.etaSeconds)}` : ''}
      </p>
      {rebuild.state === 'done' ? (
        <p role="status">
          Reconstruction terminée :{' '}
          {rebuild.generations
            .map(
              (g) =>
                `${g.projector} v${g.generation}${g.previous === null ? '' : ` (remplace v${g.previous})`}`,
            )
            .join(', ')}
          .
        </p>
      ) : null}
      {rebuild.state === 'failed' ? (
        <p role="alert" className="alert alert-error">
          La reconstruction a échoué : {rebuild.error ?? 'erreur inconnue'}
        </p>
      ) : null}
    </div>
  );
}

/** Asks before starting: a rebuild replays the whole ledger (the live read model keeps serving). */
function ConfirmRebuild(props: { target: string; onConfirm: () => void; onCancel: () => void }) {
  const titleId = useId();
  const textId = useId();
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => confirmRef.current?.focus(), []);
  return (
    <div
      role="alertdialog"
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={textId}
      className="panel dialog"
      onKeyDown={(event) => {
        if (event.key === 'Escape') props.onCancel();
      }}
    >
      <h3 id={titleId}>Reconstruire {targetLabel(props.target)} ?</h3>
      <p id={textId}>
        Le journal d’événements est rejoué dans une nouvelle génération ; la version actuelle reste servie
        jusqu’à la bascule. Selon le volume, cela peut prendre plusieurs minutes.
      </p>
      <button type="button" ref={confirmRef} onClick={props.onConfirm}>
        Confirmer la reconstruction
      </button>
      <button type="button" onClick={props.onCancel}>
        Annuler
      </button>
    </div>
  );
}

/**
 * "Reconstruire" per read model and "Tout reconstruire": a confirmation, then the progress polled
 * every second until the rebuild is done or failed. Picks up a rebuild already running on load.
 */
export function RebuildPanel(props: {
  readModels: readonly string[];
  pollMs?: number;
  onFinished?: () => void;
}) {
  const api = useApi();
  const pollMs = props.pollMs ?? 1000;
  const [asking, setAsking] = useState<string | null>(null);
  const [rebuild, setRebuild] = useState<ProjectionRebuild | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { onFinished } = props;

  useEffect(() => {
    let cancelled = false;
    api
      .latestRebuild()
      .then((latest) => {
        if (!cancelled) setRebuild(latest);
      })
      // None yet (404), or a server without these routes: nothing to show.
      .catch(() => {});
    return () => {
      cancelled = true;
    };
  }, [api]);

  const runningId = rebuild?.state === 'running' ? rebuild.id : null;
  useEffect(() => {
    if (runningId === null) return;
    const timer = setInterval(() => {
      api
        .rebuildProgress(runningId)
        .then((next) => {
          setRebuild(next);
          if (next.state !== 'running') onFinished?.();
        })
        .catch((err: unknown) => setError(describeError(err)));
    }, pollMs);
    return () => clearInterval(timer);
  }, [api, runningId, pollMs, onFinished]);

  const start = useCallback(
    async (target: string) => {
      setAsking(null);
      setError(null);
      try {
        setRebuild(await api.startRebuild(target));
      } catch (err) {
        setError(
          err instanceof ApiError && err.status === 409
            ? 'Une reconstruction est déjà en cours.'
            : err instanceof ApiError && err.status === 503
              ? 'Ce serveur n’exécute pas les projections : lancez la reconstruction là où elles tournent (pti rebuild).'
              : describeError(err),
        );
      }
    },
    [api],
  );

  const busy = runningId !== null;
  return (
    <div className="rebuilds">
      <h3>Reconstruction sans interruption</h3>
      <ul className="actions">
        {props.readModels.map((name) => (
          <li key={name}>
            <button type="button" disabled={busy} onClick={() => setAsking(name)}>
              Reconstruire <span className="visually-hidden">la projection {name}</span>
              <span aria-hidden="true"> {name}</span>
            </button>
          </li>
        ))}
        <li>
          <button type="button" disabled={busy} onClick={() => setAsking('all')}>
            Tout reconstruire
          </button>
        </li>
      </ul>
      {asking !== null ? (
        <ConfirmRebuild target={asking} onConfirm={() => start(asking)} onCancel={() => setAsking(null)} />
      ) : null}
      {error !== null ? (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      ) : null}
      {rebuild !== null ? <RebuildProgressView rebuild={rebuild} /> : null}
    </div>
  );
}
