import { type FormEvent, useEffect, useState } from 'react';
import { describeError } from '../api/http.js';
import type { CentreSummary } from '../api/types.js';
import { useApi, usePrincipal } from '../auth/session.js';
import { Field } from './components.js';

const REMEMBERED = 'pti.backoffice.centre';

/** The centre the user last worked on (kept for the tab, so every page opens on it). */
export function rememberedCentre(): string | null {
  return typeof sessionStorage === 'undefined' ? null : sessionStorage.getItem(REMEMBERED);
}

export function rememberCentre(centreId: string): void {
  if (typeof sessionStorage !== 'undefined') sessionStorage.setItem(REMEMBERED, centreId);
}

/** The default centre: the remembered one if in scope, else the principal's first. */
export function useDefaultCentre(): string | null {
  const principal = usePrincipal();
  const remembered = rememberedCentre();
  if (remembered !== null && (principal.centreIds.length === 0 || principal.centreIds.includes(remembered)))
    return remembered;
  return principal.centreIds[0] ?? null;
}

/**
 * Choose a centre: centre staff pick among their own; network roles search the network by
 * postcode or town (the public centre search).
 */
export function CentrePicker(props: { value: string | null; onChange: (centreId: string) => void }) {
  const api = useApi();
  const principal = usePrincipal();
  const [names, setNames] = useState<Record<string, string>>({});
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<CentreSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const own = principal.centreIds;

  useEffect(() => {
    const ids = [...own, ...(props.value ? [props.value] : [])];
    for (const id of new Set(ids)) {
      api.centre(id).then(
        (centre) => setNames((known) => ({ ...known, [id]: centre.name })),
        () => undefined,
      );
    }
  }, [api, own, props.value]);

  const choose = (centreId: string) => {
    rememberCentre(centreId);
    props.onChange(centreId);
  };

  if (own.length > 0) {
    return (
      <Field label="Centre">
        {(id) => (
          <select id={id} value={props.value ?? ''} onChange={(e) => choose(e.target.value)}>
            {own.map((centreId) => (
              <option key={centreId} value={centreId}>
                {names[centreId] ?? centreId}
              </option>
            ))}
          </select>
        )}
      </Field>
    );
  }

  const search = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const text = query.trim();
    try {
      const page = await api.searchCentres(/^\d{5}$/.test(text) ? { postcode: text } : { town: text });
      setHits(page.items.map((hit) => hit.centre));
      if (page.items.length === 0) setError('Aucun centre trouvé.');
    } catch (err) {
      setError(describeError(err));
    }
  };

  return (
    <div className="centre-picker">
      <p className="current-centre">
        Centre : <strong>{props.value ? (names[props.value] ?? props.value) : 'aucun'}</strong>
      </p>
      <form aria-label="Rechercher un centre" onSubmit={search} className="inline-form">
        <Field label="Code postal ou ville">
          {(id) => (
            <input id={id} value={query} onChange={(e) => setQuery(e.target.value)} required minLength={2} />
          )}
        </Field>
        <button type="submit">Rechercher</button>
      </form>
      {error ? <p role="alert">{error}</p> : null}
      {hits.length > 0 ? (
        <ul className="centre-hits">
          {hits.map((centre) => (
            <li key={centre.centreId}>
              <button
                type="button"
                onClick={() => choose(centre.centreId)}
                aria-pressed={centre.centreId === props.value}
              >
                {centre.name} — {centre.postcode} {centre.city}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
