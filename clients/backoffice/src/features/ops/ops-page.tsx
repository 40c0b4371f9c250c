import { useState } from 'react';
import { ApiError, describeError } from '../../api/http.js';
import { useApi } from '../../auth/session.js';
import { Loading, PageTitle, StatusMessage } from '../../ui/components.js';
import { formatInstant } from '../../ui/format.js';
import { useAsync } from '../../ui/use-async.js';
import { RebuildPanel } from './rebuild-panel.js';

const STATE_LABELS: Record<string, string> = {
  starting: 'démarrage',
  catching_up: 'rattrapage',
  live: 'à jour',
  rebuilding: 'reconstruction',
  stopped: 'arrêtée',
  failed: 'en échec',
};

const OUTBOX_STATUS: Record<string, string> = {
  recorded: 'conservé (mode intégré)',
  pending: 'en attente d’envoi',
  sent: 'envoyé',
};

/** A 404 from a route that this server does not expose yet: said plainly, not as a failure. */
function Unavailable({ error, what }: { error: unknown; what: string }) {
  if (error instanceof ApiError && error.status === 404)
    return <p className="muted">{what} : non exposé par ce serveur.</p>;
  return (
    <p role="alert" className="alert alert-error">
      {describeError(error)}
    </p>
  );
}

/**
 * Ops: projection status and lag (refreshed every 5 s), blue/green rebuilds with their progress
 * (polled every second), saga dead letters with retry/discard, the notification outbox.
 */
export function OpsPage(props: { pollMs?: number; rebuildPollMs?: number }) {
  const api = useApi();
  const projections = useAsync(() => api.projections(), 'projections', { pollMs: props.pollMs ?? 5000 });
  const deadLetters = useAsync(() => api.deadLetters(), 'dead-letters');
  const outbox = useAsync(() => api.outbox(), 'outbox');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const act = async (ok: string, action: () => Promise<unknown>) => {
    try {
      await action();
      setMessage({ kind: 'ok', text: ok });
      deadLetters.reload();
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error) });
    }
  };

  const status = projections.value;
  return (
    <>
      <PageTitle>Exploitation</PageTitle>
      <StatusMessage message={message} />
      <section aria-labelledby="proj-title" className="panel">
        <h2 id="proj-title">Projections</h2>
        {projections.state.status === 'error' ? (
          <Unavailable error={projections.state.error} what="État des projections" />
        ) : null}
        {status ? (
          <table>
            <caption>
              {status.healthy
                ? 'Toutes les projections sont saines'
                : 'Au moins une projection demande attention'}{' '}
              — relevé du {formatInstant(status.generatedAt)}
            </caption>
            <thead>
              <tr>
                <th scope="col">Projection</th>
                <th scope="col">Version</th>
                <th scope="col">État</th>
                <th scope="col">Retard (événements)</th>
                <th scope="col">Retard (secondes)</th>
                <th scope="col">Dernier événement appliqué</th>
                <th scope="col">Erreur</th>
              </tr>
            </thead>
            <tbody>
              {status.projections.map((p) => (
                <tr key={p.name} className={p.healthy ? '' : 'row-warning'}>
                  <th scope="row">{p.name}</th>
                  <td>{p.version}</td>
                  <td>{STATE_LABELS[p.state] ?? p.state}</td>
                  <td>{p.lagEvents}</td>
                  <td>{p.lagSeconds.toFixed(1)}</td>
                  <td>{p.lastAppliedAt ? formatInstant(p.lastAppliedAt) : '—'}</td>
                  <td>{p.error ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : projections.state.status === 'loading' ? (
          <p aria-busy="true">Chargement…</p>
        ) : null}
        {status ? (
          <RebuildPanel
            readModels={status.projections.map((p) => p.name)}
            pollMs={props.rebuildPollMs}
            onFinished={projections.reload}
          />
        ) : null}
        <p className="muted">
          En ligne de commande : <code>pti rebuild &lt;projection&gt;</code>.
        </p>
      </section>
      <section aria-labelledby="dl-title" className="panel">
        <h2 id="dl-title">Échecs des processus (lettres mortes)</h2>
        {deadLetters.state.status === 'error' ? (
          <Unavailable error={deadLetters.state.error} what="Lettres mortes" />
        ) : (
          <Loading state={deadLetters.state}>
            {deadLetters.value && deadLetters.value.items.length === 0 ? <p>Aucune lettre morte.</p> : null}
            {deadLetters.value && deadLetters.value.items.length > 0 ? (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Processus</th>
                    <th scope="col">Tâche</th>
                    <th scope="col">Tentatives</th>
                    <th scope="col">Dernière erreur</th>
                    <th scope="col">Échec le</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {deadLetters.value.items.map((d) => (
                    <tr key={d.id}>
                      <th scope="row">{d.saga}</th>
                      <td>
                        {d.kind} <code>{d.key}</code>
                      </td>
                      <td>{d.attempts}</td>
                      <td>{d.lastError}</td>
                      <td>{formatInstant(d.failedAt)}</td>
                      <td className="actions">
                        <button
                          type="button"
                          onClick={() => act('Tâche relancée.', () => api.retryDeadLetter(d.id))}
                        >
                          Relancer <span className="visually-hidden">{d.key}</span>
                        </button>
                        <button
                          type="button"
                          onClick={() => act('Tâche abandonnée.', () => api.discardDeadLetter(d.id))}
                        >
                          Abandonner <span className="visually-hidden">{d.key}</span>
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
          </Loading>
        )}
      </section>
      <section aria-labelledby="outbox-title" className="panel">
        <h2 id="outbox-title">Notifications envoyées (boîte d’envoi)</h2>
        {outbox.state.status === 'error' ? (
          <Unavailable error={outbox.state.error} what="Boîte d’envoi" />
        ) : (
          <Loading state={outbox.state}>
            {outbox.value && outbox.value.items.length === 0 ? <p>Aucun message.</p> : null}
            {outbox.value && outbox.value.items.length > 0 ? (
              <ul className="outbox">
                {outbox.value.items.map((m) => (
                  <li key={m.id}>
                    <details>
                      <summary>
                        {formatInstant(m.createdAt)} · {m.channel === 'email' ? 'E-mail' : 'SMS'} ·{' '}
                        {m.template} · {m.recipient} · {OUTBOX_STATUS[m.status] ?? m.status}
                      </summary>
                      {m.subject ? (
                        <p>
                          <strong>{m.subject}</strong>
                        </p>
                      ) : null}
                      <pre>{m.body}</pre>
                    </details>
                  </li>
                ))}
              </ul>
            ) : null}
          </Loading>
        )}
      </section>
    </>
  );
}
