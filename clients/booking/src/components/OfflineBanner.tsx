import { useSyncExternalStore } from 'react';

function subscribe(notify: () => void): () => void {
  window.addEventListener('online', notify);
  window.addEventListener('offline', notify);
  return () => {
    window.removeEventListener('online', notify);
    window.removeEventListener('offline', notify);
  };
}

export function useOnline(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => navigator.onLine,
    () => true,
  );
}

/** Said once when the connection drops (role status: read politely, not stealing focus). */
export function OfflineBanner() {
  const online = useOnline();
  return (
    <div role="status" aria-live="polite" className={online ? 'visually-hidden' : 'banner banner-offline'}>
      {online
        ? ''
        : 'Vous êtes hors connexion. Les dernières recherches restent consultables ; une réservation sera envoyée dès le retour du réseau.'}
    </div>
  );
}
