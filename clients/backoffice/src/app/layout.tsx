import { Link, useNavigate, useRouterState } from '@tanstack/react-router';
import { type ReactNode, useEffect, useRef } from 'react';
import { ROLE_LABELS, SECTION_LABELS, SECTION_PATHS, sectionsFor } from '../auth/roles.js';
import { useSession } from '../auth/session.js';

/**
 * The signed-in frame: a skip link, the role's navigation, who is signed in, and the page. On each
 * navigation the focus moves to the new page's heading, as a screen-reader user expects.
 */
export function Layout({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const navigate = useNavigate();

  // biome-ignore lint/correctness/useExhaustiveDependencies: the path change is the trigger (focus the new page's heading).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [pathname]);

  if (session === null) return null;
  const { principal } = session;
  return (
    <>
      <a className="skip-link" href="#contenu">
        Aller au contenu
      </a>
      <header className="app-header">
        <p className="brand">PTI · Espace professionnel</p>
        <nav aria-label="Navigation principale">
          <ul>
            {sectionsFor(principal.role).map((section) => (
              <li key={section}>
                <Link
                  to={SECTION_PATHS[section]}
                  activeProps={{ 'aria-current': 'page', className: 'active' }}
                >
                  {SECTION_LABELS[section]}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            {principal.displayName} · {ROLE_LABELS[principal.role]}
          </span>
          <button
            type="button"
            onClick={() => {
              signOut();
              // The next person lands on their own first page, not on this one.
              void navigate({ to: '/' });
            }}
          >
            Se déconnecter
          </button>
        </div>
      </header>
      <main id="contenu" ref={main} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
