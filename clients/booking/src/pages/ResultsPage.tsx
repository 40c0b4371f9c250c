import { Link, useNavigate, useRouter } from '@tanstack/react-router';
import { lazy, Suspense, useEffect, useId, useMemo, useState } from 'react';
import { api, type CentreCard, type CentreSearchHit, call } from '../app/api.js';
import { useAsync } from '../app/use-async.js';
import { CONTROL_LABELS, formatEuros, type VehicleProfile } from '../domain/vehicle-profile.js';
import { formatDay } from '../domain/week.js';
import { MAP_CONFIG } from '../map/map-config.js';
import type { MapCentre } from '../map/ResultsMap.js';
import { rememberSearch } from '../storage/db.js';

// Leaflet and its CSS load only when the map is shown, never with the landing page.
const ResultsMap = lazy(() => import('../map/ResultsMap.js'));

/** The map starts open where there is room for it beside the list; on a phone it is one tap away. */
const WIDE_SCREEN = '(min-width: 900px)';

const priceLabel = (hit: CentreSearchHit): string =>
  hit.priceCents === null ? 'Sur demande' : formatEuros(hit.priceCents);
const slotLabel = (hit: CentreSearchHit): string =>
  hit.firstFreeSlot
    ? `${formatDay(hit.firstFreeSlot.date)} à ${hit.firstFreeSlot.start.slice(0, 5)}`
    : 'Aucun créneau libre';

export interface ResultsSearch extends VehicleProfile {
  readonly postcode?: string | undefined;
  readonly town?: string | undefined;
  readonly lat?: number | undefined;
  readonly lon?: number | undefined;
}

/** Whether a centre is open at this instant, from its opening hours (Paris time). */
export function openAt(card: CentreCard, now: Date): boolean {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: card.timeZone,
    weekday: 'long',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const weekday = parts.find((part) => part.type === 'weekday')?.value.toLowerCase() ?? '';
  const time = `${parts.find((part) => part.type === 'hour')?.value}:${parts.find((part) => part.type === 'minute')?.value}`;
  const intervals = card.openingHours[weekday as keyof CentreCard['openingHours']] ?? [];
  return intervals.some((interval) => interval.from <= time && time < interval.to);
}

export function ResultsPage({ search }: { search: ResultsSearch }) {
  const { postcode, town, lat, lon, ...profile } = search;
  const label =
    postcode ?? town ?? (lat !== undefined && lon !== undefined ? 'votre position' : 'votre recherche');
  const state = useAsync(
    () =>
      call(
        api.queries.GET('/api/v1/centres', {
          params: {
            query: {
              ...(postcode ? { postcode } : {}),
              ...(town ? { town } : {}),
              ...(lat !== undefined && lon !== undefined ? { lat, lon, radiusKm: 30 } : {}),
              category: profile.category,
              fuel: profile.fuel,
              controlType: profile.controlType,
              limit: 20,
            },
          },
        }),
      ),
    [postcode, town, lat, lon, profile.category, profile.fuel, profile.controlType],
  );

  useEffect(() => {
    if (state.status !== 'done' || (postcode === undefined && town === undefined)) return;
    void rememberSearch({
      key: `${postcode ?? town}|${profile.category}|${profile.fuel}|${profile.controlType}`,
      label: postcode ?? town ?? '',
      search: {
        ...(postcode ? { postcode } : { town: town ?? '' }),
        category: profile.category,
        fuel: profile.fuel,
        controlType: profile.controlType,
      },
      savedAt: Date.now(),
    });
  }, [state.status, postcode, town, profile.category, profile.fuel, profile.controlType]);

  const ids = state.status === 'done' ? state.value.items.map((hit) => hit.centre.centreId) : [];
  // The cards (cached a minute by the API) carry the hours the "open now" badge needs.
  const cards = useAsync(
    () =>
      Promise.all(
        ids.map((centreId) =>
          call(api.queries.GET('/api/v1/centres/{centreId}', { params: { path: { centreId } } })).catch(
            () => null,
          ),
        ),
      ),
    [ids.join(',')],
  );
  const router = useRouter();
  const navigate = useNavigate();
  const mapId = useId();
  const [mapOpen, setMapOpen] = useState(
    () => typeof window !== 'undefined' && window.matchMedia?.(WIDE_SCREEN).matches === true,
  );
  const centreSearch = { ...profile, week: undefined };
  const hits = state.status === 'done' ? state.value.items : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the profile is in `hits`' request
  const mapCentres = useMemo<MapCentre[]>(
    () =>
      (hits ?? []).map((hit) => ({
        centreId: hit.centre.centreId,
        name: hit.centre.name,
        address: `${hit.centre.address}, ${hit.centre.postcode} ${hit.centre.city}`,
        lat: hit.centre.position.lat,
        lon: hit.centre.position.lon,
        priceLabel: priceLabel(hit),
        slotLabel: slotLabel(hit),
        href: router.buildLocation({
          to: '/centres/$centreId',
          params: { centreId: hit.centre.centreId },
          search: centreSearch,
        }).href,
      })),
    [hits, router],
  );
  const origin = useMemo(
    () => (lat !== undefined && lon !== undefined ? { lat, lon } : undefined),
    [lat, lon],
  );
  // Open or closed now, for the centres whose card (hours) could be read; the others say nothing.
  const now = new Date();
  const openNow = new Map<string, boolean>(
    cards.status === 'done'
      ? cards.value.flatMap((card) => (card !== null ? [[card.centreId, openAt(card, now)] as const] : []))
      : [],
  );

  return (
    <div className="page">
      <p>
        <Link to="/">← Modifier la recherche</Link>
      </p>
      <h1>Centres près de {label}</h1>
      <p className="lead">{CONTROL_LABELS[profile.controlType]}</p>
      {state.status === 'loading' ? <p aria-live="polite">Recherche des centres…</p> : null}
      {state.status === 'error' ? (
        <p role="alert" className="field-error">
          {state.error.message}
        </p>
      ) : null}
      {state.status === 'done' && state.value.items.length === 0 ? (
        <p>Aucun centre ne propose ce contrôle dans ce secteur. Essayez une ville voisine.</p>
      ) : null}
      {MAP_CONFIG && mapCentres.length > 0 ? (
        <section className="results-map-section" aria-label="Carte">
          <button
            type="button"
            className="button-secondary"
            aria-expanded={mapOpen}
            aria-controls={mapId}
            onClick={() => setMapOpen((open) => !open)}
          >
            {mapOpen ? 'Masquer la carte' : 'Afficher la carte'}
          </button>
          <div id={mapId} hidden={!mapOpen}>
            {mapOpen ? (
              <Suspense fallback={<p aria-live="polite">Chargement de la carte…</p>}>
                <ResultsMap
                  centres={mapCentres}
                  config={MAP_CONFIG}
                  origin={origin}
                  onOpenCentre={(centreId) =>
                    void navigate({ to: '/centres/$centreId', params: { centreId }, search: centreSearch })
                  }
                />
              </Suspense>
            ) : null}
          </div>
        </section>
      ) : null}
      {state.status === 'done' ? (
        <ol className="results" aria-label="Centres trouvés">
          {state.value.items.map((hit) => (
            <li key={hit.centre.centreId} className="card result">
              <h2>
                <Link
                  to="/centres/$centreId"
                  params={{ centreId: hit.centre.centreId }}
                  search={{ ...profile, week: undefined }}
                >
                  {hit.centre.name}
                </Link>
              </h2>
              <p>
                {hit.centre.address}, {hit.centre.postcode} {hit.centre.city}
              </p>
              <dl className="facts">
                {hit.distanceKm !== null ? (
                  <div>
                    <dt>Distance</dt>
                    <dd>{hit.distanceKm.toLocaleString('fr-FR')} km</dd>
                  </div>
                ) : null}
                <div>
                  <dt>Prix</dt>
                  <dd>{priceLabel(hit)}</dd>
                </div>
                <div>
                  <dt>Premier créneau</dt>
                  <dd>{slotLabel(hit)}</dd>
                </div>
              </dl>
              {/* The badge's line is kept from the start: the hours arrive after the list, and the
                  cards must not move down when they do. */}
              <p className="open-now">
                {openNow.get(hit.centre.centreId) === true ? (
                  <span className="badge badge-open">Ouvert maintenant</span>
                ) : openNow.get(hit.centre.centreId) === false ? (
                  <span className="badge badge-closed">Fermé en ce moment</span>
                ) : null}
              </p>
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}
