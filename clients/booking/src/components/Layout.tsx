import { Link, Outlet, useRouterState } from '@tanstack/react-router';
import { Suspense, useEffect, useRef } from 'react';
import { useDraftSync } from '../storage/use-draft-sync.js';
import { InstallPrompt } from './InstallPrompt.js';
import { OfflineBanner } from './OfflineBanner.js';

/** The frame of every page: skip link, header, offline banner, main landmark, footer. */
export function Layout() {
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const drafts = useDraftSync();
  // After a navigation, focus the new page's main content (screen readers then read it).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (pathname) main.current?.focus();
  }, [pathname]);
  return (
    <>
      <a className="skip-link" href="#contenu">
        Aller au contenu
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          <img src="/icon.svg" alt="" width="32" height="32" /> PTI Contrôle technique
        </Link>
        <nav aria-label="Navigation principale">
          <ul>
            <li>
              <Link to="/" activeOptions={{ exact: true }}>
                Réserver
              </Link>
            </li>
            <li>
              <Link to="/mes-rendez-vous">Mes rendez-vous</Link>
            </li>
            <li>
              <Link to="/pro">Espace pro</Link>
            </li>
          </ul>
        </nav>
      </header>
      <OfflineBanner />
      {drafts.message ? (
        <div role="alert" className={`banner ${drafts.tone === 'error' ? 'banner-error' : 'banner-info'}`}>
          {drafts.message}
        </div>
      ) : null}
      <main id="contenu" ref={main} tabIndex={-1}>
        <Suspense fallback={<p aria-live="polite">Chargement…</p>}>
          <Outlet />
        </Suspense>
      </main>
      <footer className="site-footer">
        <InstallPrompt />
        <p>Réseau PTI — contrôle technique automobile, moto et utilitaire.</p>
      </footer>
    </>
  );
}
