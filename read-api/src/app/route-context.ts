import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ManageTokenSecret } from '@pti/write-side/domain';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ReadPorts } from '../ports/read-ports.js';

/** The Fastify instance the routes are declared on: TypeBox schemas type params, query and replies. */
export type ReadApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What the documents (calendar file, confirmation PDF) print beyond the booking itself. */
export interface DocumentSettings {
  /** The page where a customer manages a booking (no token in it: that page asks for a proof). */
  readonly manageUrl: (reference: string) => string;
  /** ORGANIZER of calendar events when the centre has no e-mail of its own. */
  readonly organizerEmail: string;
  /** Domain of calendar UIDs (`<bookingId>@<domain>`), stable for the life of the product. */
  readonly uidDomain: string;
}

/** What every feature's routes receive from `readApiRoutes`. */
export interface RouteContext {
  readonly ports: ReadPorts;
  readonly now: () => Date;
  readonly manageTokenSecrets: readonly ManageTokenSecret[];
  readonly documents: DocumentSettings;
  /** Route-level limiter config of the booking lookups (a tighter bucket), or `false` when off. */
  readonly lookupRateLimit: { readonly max: number; readonly timeWindow: number } | false;
  /** How long availability answers are reused in process; default 1 s, 0 reads every time. */
  readonly availabilityCacheMs?: number;
}
