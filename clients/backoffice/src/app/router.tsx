import {
  createRootRoute,
  createRoute,
  createRouter,
  getRouteApi,
  Link,
  Navigate,
  Outlet,
  type RouterHistory,
  useNavigate,
} from '@tanstack/react-router';
import { canSee, SECTION_PATHS, type Section, sectionsFor } from '../auth/roles.js';
import { usePrincipal, useSession } from '../auth/session.js';
import { CentreAdminPage } from '../features/admin/centre-admin-page.js';
import { DayAgendaPage } from '../features/agenda/day-agenda-page.js';
import { AuditPage } from '../features/audit/audit-page.js';
import { CallCentrePage } from '../features/callcentre/call-centre-page.js';
import { LoginPage } from '../features/login/login-page.js';
import { OpsPage } from '../features/ops/ops-page.js';
import { ReportingPage } from '../features/reporting/reporting-page.js';
import { rememberCentre, useDefaultCentre } from '../ui/centre-picker.js';
import { PageTitle } from '../ui/components.js';
import { parisToday } from '../ui/format.js';
import { Layout } from './layout.js';

/** The back office's routes, under the `/backoffice` base path (served by `npm start`). */

function Root() {
  const { session } = useSession();
  if (session === null) return <LoginPage />;
  return (
    <Layout>
      <Outlet />
    </Layout>
  );
}

function Guard({ section, children }: { section: Section; children: React.ReactNode }) {
  const principal = usePrincipal();
  if (!canSee(principal.role, section))
    return (
      <>
        <PageTitle>Accès refusé</PageTitle>
        <p>Votre rôle ne donne pas accès à cette page.</p>
        <p>
          <Link to="/">Aller à ma page d’accueil</Link>
        </p>
      </>
    );
  return <>{children}</>;
}

function Home() {
  const principal = usePrincipal();
  const first = sectionsFor(principal.role)[0];
  return first === undefined ? (
    <p>Aucune page pour ce rôle.</p>
  ) : (
    <Navigate to={SECTION_PATHS[first]} replace />
  );
}

const rootRoute = createRootRoute({ component: Root });

const indexRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', component: Home });

interface AgendaSearch {
  centre?: string;
  date?: string;
}

const agendaRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: SECTION_PATHS.agenda,
  validateSearch: (search: Record<string, unknown>): AgendaSearch => ({
    ...(typeof search.centre === 'string' ? { centre: search.centre } : {}),
    ...(typeof search.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(search.date)
      ? { date: search.date }
      : {}),
  }),
  component: function AgendaRoute() {
    const search = getRouteApi('/agenda').useSearch() as AgendaSearch;
    const navigate = useNavigate();
    const fallback = useDefaultCentre();
    return (
      <Guard section="agenda">
        <DayAgendaPage
          centreId={search.centre ?? fallback}
          date={search.date ?? parisToday()}
          onNavigate={({ centreId, date }) => {
            rememberCentre(centreId);
            void navigate({ to: SECTION_PATHS.agenda, search: { centre: centreId, date } });
          }}
        />
      </Guard>
    );
  },
});

const adminRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: SECTION_PATHS.admin,
  validateSearch: (search: Record<string, unknown>): { centre?: string } =>
    typeof search.centre === 'string' ? { centre: search.centre } : {},
  component: function AdminRoute() {
    const search = getRouteApi('/administration').useSearch() as { centre?: string };
    const navigate = useNavigate();
    const fallback = useDefaultCentre();
    return (
      <Guard section="admin">
        <CentreAdminPage
          centreId={search.centre ?? fallback}
          onCentre={(centreId) => void navigate({ to: SECTION_PATHS.admin, search: { centre: centreId } })}
        />
      </Guard>
    );
  },
});

const callCentreRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: SECTION_PATHS.callcentre,
  component: () => (
    <Guard section="callcentre">
      <CallCentrePage />
    </Guard>
  ),
});

const auditRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: SECTION_PATHS.audit,
  component: () => (
    <Guard section="audit">
      <AuditPage />
    </Guard>
  ),
});

const reportingRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: SECTION_PATHS.reporting,
  component: () => (
    <Guard section="reporting">
      <ReportingPage />
    </Guard>
  ),
});

const opsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: SECTION_PATHS.ops,
  component: () => (
    <Guard section="ops">
      <OpsPage />
    </Guard>
  ),
});

const routeTree = rootRoute.addChildren([
  indexRoute,
  agendaRoute,
  adminRoute,
  callCentreRoute,
  auditRoute,
  reportingRoute,
  opsRoute,
]);

export const BASE_PATH = '/backoffice';

export function createBackofficeRouter(options: { history?: RouterHistory } = {}) {
  return createRouter({
    routeTree,
    basepath: BASE_PATH,
    defaultNotFoundComponent: () => (
      <>
        <PageTitle>Page introuvable</PageTitle>
        <p>Cette adresse ne correspond à aucune page de l’espace professionnel.</p>
      </>
    ),
    ...(options.history ? { history: options.history } : {}),
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createBackofficeRouter>;
  }
}
