import { useEffect, useState } from 'react';
import { useOnline } from '../components/OfflineBanner.js';

/**
 * Sends the drafts kept while offline when the app starts online and whenever the network comes
 * back. IndexedDB code loads on demand, keeping Dexie out of the landing page's first bundle.
 */
export function useDraftSync(): { message: string | null; tone: 'info' | 'error' } {
  const online = useOnline();
  const [outcome, setOutcome] = useState<{ message: string | null; tone: 'info' | 'error' }>({
    message: null,
    tone: 'info',
  });
  useEffect(() => {
    if (!online) return;
    let current = true;
    void import('./draft-sync.js')
      .then((module) => module.submitDrafts())
      .then((done) => {
        if (!current) return;
        const failed = done.filter((draft) => draft.status !== 'submitted');
        const sent = done.filter((draft) => draft.status === 'submitted');
        if (failed.length > 0) setOutcome({ message: failed.map((d) => d.message).join(' '), tone: 'error' });
        else if (sent.length > 0)
          setOutcome({
            message: `Connexion rétablie : votre réservation a été envoyée (référence ${sent.map((d) => d.reference).join(', ')}). Finalisez-la dans « Mes rendez-vous ».`,
            tone: 'info',
          });
      });
    return () => {
      current = false;
    };
  }, [online]);
  return outcome;
}
