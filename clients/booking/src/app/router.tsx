import { createRootRoute, createRoute, createRouter, redirect } from '@tanstack/react-router';
import { lazy } from 'react';
import { Layout } from '../components/Layout.js';
import { profileFrom } from '../domain/vehicle-profile.js';
import type { BookSearch } from '../pages/BookPage.js';
import type { CentreSearch } from '../pages/CentrePage.js';
import type { ResultsSearch } from '../pages/ResultsPage.js';
import { SearchPage } from '../pages/SearchPage.js';

// Only the landing page is in the first bundle; every other page loads when first visited.
const BookPage = lazy(() => import('../pages/BookPage.js').then((module) => ({ default: module.BookPage })));
const CentrePage = lazy(() =>
  import('../pages/CentrePage.js').then((module) => ({ default: module.CentrePage })),
);
const ConfirmationPage = lazy(() =>
  import('../pages/ConfirmationPage.js').then((module) => ({ default: module.ConfirmationPage })),
);
const ContreVisitePage = lazy(() =>
  import('../pages/ContreVisitePage.js').then((module) => ({ default: module.ContreVisitePage })),
);
const FleetPage = lazy(() =>
  import('../pages/FleetPage.js').then((module) => ({ default: module.FleetPage })),
);
const ManagePage = lazy(() =>
  import('../pages/ManagePage.js').then((module) => ({ default: module.ManagePage })),
);
const MyBookingsPage = lazy(() =>
  import('../pages/MyBookingsPage.js').then((module) => ({ default: module.MyBookingsPage })),
);
const PaymentResultPage = lazy(() =>
  import('../pages/PaymentResultPage.js').then((module) => ({ default: module.PaymentResultPage })),
);
const ResultsPage = lazy(() =>
  import('../pages/ResultsPage.js').then((module) => ({ default: module.ResultsPage })),
);

/**
 * The app's addresses. Some are promised elsewhere and must keep working: the read API's documents
 * point to `/rendez-vous/gerer?reference=`, notifications to `/mes-rendez-vous/{reference}` and
 * `/reserver?controle=CVP&centre=`, the payment return to `/paiement/resultat`.
 */

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0
    ? value
    : typeof value === 'number'
      ? String(value)
      : undefined;
const num = (value: unknown): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
};

const rootRoute = createRootRoute({ component: Layout, notFoundComponent: NotFound });

function NotFound() {
  return (
    <div className="page">
      <h1>Page introuvable</h1>
      <p>
        Cette adresse n’existe pas. <a href="/">Revenir à la recherche</a>
      </p>
    </div>
  );
}

const searchRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', component: SearchPage });

const resultsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/centres',
  validateSearch: (search: Record<string, unknown>): ResultsSearch => ({
    ...profileFrom(search),
    postcode: text(search.postcode),
    town: text(search.town),
    lat: num(search.lat),
    lon: num(search.lon),
  }),
  component: function Results() {
    return <ResultsPage search={resultsRoute.useSearch()} />;
  },
});

const centreRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/centres/$centreId',
  validateSearch: (search: Record<string, unknown>): CentreSearch => ({
    ...profileFrom(search),
    week: text(search.week),
    previous: text(search.previous),
    plate: text(search.plate),
  }),
  component: function Centre() {
    const { centreId } = centreRoute.useParams();
    return <CentrePage centreId={centreId} search={centreRoute.useSearch()} />;
  },
});

const bookRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/reserver/$centreId',
  validateSearch: (search: Record<string, unknown>): BookSearch => ({
    ...profileFrom(search),
    start: text(search.start) ?? '',
    previous: text(search.previous),
    plate: text(search.plate),
  }),
  component: function Book() {
    const { centreId } = bookRoute.useParams();
    return <BookPage centreId={centreId} search={bookRoute.useSearch()} />;
  },
});

/** The notifications' contre-visite link: `/reserver?controle=CVP&centre=…`. */
const bookEntryRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/reserver',
  validateSearch: (search: Record<string, unknown>): { centre?: string; controle?: string } => ({
    centre: text(search.centre),
    controle: text(search.controle),
  }),
  beforeLoad: ({ search }) => {
    if (search.controle === 'CVP')
      throw redirect({ to: '/contre-visite', search: { centre: search.centre } });
    if (search.centre)
      throw redirect({
        to: '/centres/$centreId',
        params: { centreId: search.centre },
        search: profileFrom({}),
      });
    throw redirect({ to: '/' });
  },
});

const contreVisiteRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/contre-visite',
  validateSearch: (search: Record<string, unknown>): { centre?: string } => ({ centre: text(search.centre) }),
  component: function ContreVisite() {
    return <ContreVisitePage centre={contreVisiteRoute.useSearch().centre} />;
  },
});

const confirmationRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/rendez-vous/confirmation',
  validateSearch: (search: Record<string, unknown>) => ({ reference: text(search.reference) ?? '' }),
  component: function Confirmation() {
    return <ConfirmationPage reference={confirmationRoute.useSearch().reference} />;
  },
});

const manageRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/rendez-vous/gerer',
  validateSearch: (search: Record<string, unknown>): { token?: string; reference?: string } => ({
    token: text(search.token),
    reference: text(search.reference),
  }),
  component: function Manage() {
    const { token, reference } = manageRoute.useSearch();
    return token ? <ManagePage token={token} /> : <MyBookingsPage reference={reference} />;
  },
});

const myBookingsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/mes-rendez-vous',
  component: function MyBookings() {
    return <MyBookingsPage />;
  },
});

const myBookingRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/mes-rendez-vous/$reference',
  component: function MyBooking() {
    return <MyBookingsPage reference={myBookingRoute.useParams().reference} />;
  },
});

const paymentResultRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/paiement/resultat',
  validateSearch: (search: Record<string, unknown>): { statut: string; reservation?: string } => ({
    statut: text(search.statut) ?? 'unknown',
    reservation: text(search.reservation),
  }),
  component: function PaymentResult() {
    const { statut, reservation } = paymentResultRoute.useSearch();
    return <PaymentResultPage statut={statut} reservation={reservation} />;
  },
});

const fleetRoute = createRoute({ getParentRoute: () => rootRoute, path: '/pro', component: FleetPage });

const routeTree = rootRoute.addChildren([
  searchRoute,
  resultsRoute,
  centreRoute,
  bookRoute,
  bookEntryRoute,
  contreVisiteRoute,
  confirmationRoute,
  manageRoute,
  myBookingsRoute,
  myBookingRoute,
  paymentResultRoute,
  fleetRoute,
]);

export const router = createRouter({ routeTree, defaultPreload: false, scrollRestoration: true });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
