import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { ProfileFields } from '../components/ProfileFields.js';
import { DEFAULT_PROFILE, type VehicleProfile } from '../domain/vehicle-profile.js';
import type { RecentSearch } from '../storage/db.js';

/** Towns of the network offered as suggestions, with the searches made on this device. */
export const TOWN_SUGGESTIONS = [
  'Lyon',
  'Villeurbanne',
  'Vénissieux',
  'Bron',
  'Caluire-et-Cuire',
  'Grenoble',
  'Saint-Étienne',
  'Annecy',
  'Chambéry',
  'Valence',
  'Bourg-en-Bresse',
  'Vienne',
  '69007',
  '69100',
  '38100',
];

export type LocationQuery = { postcode: string } | { town: string } | { lat: number; lon: number };

/** A postcode (5 digits) or a town name; anything else is explained. */
export function parseLocation(input: string): LocationQuery | { error: string } {
  const text = input.trim().replace(/\s+/g, ' ');
  if (text.length === 0) return { error: 'Indiquez un code postal ou une ville.' };
  if (/^\d+$/.test(text)) {
    return /^\d{5}$/.test(text) ? { postcode: text } : { error: 'Un code postal compte 5 chiffres.' };
  }
  if (text.length > 100) return { error: 'Nom de ville trop long.' };
  return { town: text };
}

export function SearchPage() {
  const navigate = useNavigate();
  const [profile, setProfile] = useState<VehicleProfile>(DEFAULT_PROFILE);
  const [where, setWhere] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [locating, setLocating] = useState(false);
  const listId = useId();
  const [recent, setRecent] = useState<RecentSearch[]>([]);
  // Recent searches as suggestions; IndexedDB code loads after the first paint.
  useEffect(() => {
    void import('../storage/db.js')
      .then(({ db }) => db.searches.orderBy('savedAt').reverse().limit(5).toArray())
      .then(setRecent, () => setRecent([]));
  }, []);

  const go = (location: LocationQuery) => navigate({ to: '/centres', search: { ...location, ...profile } });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseLocation(where);
    if ('error' in parsed) {
      setError(parsed.error);
      document.getElementById('where')?.focus();
      return;
    }
    setError(null);
    void go(parsed);
  };

  const nearMe = () => {
    if (!('geolocation' in navigator)) {
      setError('La géolocalisation n’est pas disponible sur cet appareil.');
      return;
    }
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setLocating(false);
        void go({
          lat: Math.round(position.coords.latitude * 1e4) / 1e4,
          lon: Math.round(position.coords.longitude * 1e4) / 1e4,
        });
      },
      () => {
        setLocating(false);
        setError('Position introuvable : autorisez la localisation ou saisissez une ville.');
      },
      { timeout: 10_000, maximumAge: 300_000 },
    );
  };

  const suggestions = [...new Set([...(recent ?? []).map((entry) => entry.label), ...TOWN_SUGGESTIONS])];
  return (
    <div className="page">
      <h1>Prenez rendez-vous pour votre contrôle technique</h1>
      <p className="lead">Comparez les prix et les premiers créneaux libres des centres près de chez vous.</p>
      <form onSubmit={submit} noValidate className="card search-form">
        <ProfileFields profile={profile} onChange={setProfile} />
        <div className="field">
          <label htmlFor="where">Code postal ou ville</label>
          <input
            id="where"
            name="where"
            list={listId}
            autoComplete="postal-code"
            value={where}
            aria-invalid={error !== null}
            aria-describedby="where-error"
            onChange={(event) => setWhere(event.target.value)}
          />
          <datalist id={listId}>
            {suggestions.map((suggestion) => (
              <option key={suggestion} value={suggestion} />
            ))}
          </datalist>
          <p id="where-error" className="field-error" aria-live="polite">
            {error ?? ''}
          </p>
        </div>
        <div className="actions">
          <button type="submit" className="button-primary">
            Rechercher un centre
          </button>
          <button type="button" className="button-secondary" onClick={nearMe} disabled={locating}>
            {locating ? 'Localisation…' : 'Près de moi'}
          </button>
        </div>
      </form>
      <section className="card">
        <h2>Contre-visite</h2>
        <p>
          Votre véhicule doit repasser après un premier contrôle ? La contre-visite reprend votre véhicule.
        </p>
        <a href="/contre-visite">Réserver une contre-visite</a>
      </section>
    </div>
  );
}
