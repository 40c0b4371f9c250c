import { requirePermission } from '@pti/platform';
import { normalisePhone, parseBookingReference } from '@pti/write-side/domain';
import { Type } from '@sinclair/typebox';
import type { ReadApiApp, RouteContext } from '../app/route-context.js';
import { compactPlate, normaliseProofEmail } from '../bookings/owner-proof.js';
import { neverStore } from '../http/cache-control.js';
import {
  invalidCursor,
  invalidRequest,
  type ProblemFieldError,
  replyProblem,
  STAFF_PROBLEMS,
} from '../http/problem.js';
import { BookingStatus, LocalDateTime, Nullable, StringEnum } from '../http/schemas.js';
import { callerOf, tenantScopeOf } from '../http/staff-auth.js';
import {
  PaginationQuery,
  pageOf,
  pageRequest,
  queryFingerprint,
  responsePage,
} from '../pagination/cursor.js';
import type { CustomerCriteria } from '../ports/read-ports.js';

/** Staff: call-centre search of customers by phone, plate, name, e-mail or booking reference. */

const Criterion = (description: string, minLength: number) =>
  Type.Optional(Type.String({ minLength, maxLength: 200, description }));

const CustomerSearchQuerystring = Type.Object(
  {
    phone: Criterion('Phone number, any format (+33 6…, 06 …); partial digits match too', 4),
    plate: Criterion('Registration plate, any spacing or case; partial matches too', 2),
    name: Criterion('Name or part of it (similarity match)', 2),
    email: Criterion('E-mail address', 3),
    reference: Criterion('Booking reference', 4),
    ...PaginationQuery,
  },
  { additionalProperties: false },
);

const CustomerHitView = Type.Object({
  customerId: Type.String(),
  kind: StringEnum(['private', 'company'] as const),
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  siret: Nullable(Type.String()),
  plates: Type.Array(Type.String()),
  bookingCount: Type.Integer({ minimum: 0 }),
  lastBooking: Nullable(
    Type.Object({
      bookingId: Type.String(),
      reference: Type.String(),
      centreId: Type.String(),
      start: LocalDateTime,
      status: BookingStatus,
    }),
  ),
});

/** The criteria as the port expects them (see `CustomerCriteria`), or what is wrong with them. */
export function customerCriteria(query: {
  readonly phone?: string;
  readonly plate?: string;
  readonly name?: string;
  readonly email?: string;
  readonly reference?: string;
}): { ok: true; criteria: CustomerCriteria } | { ok: false; errors: ProblemFieldError[] } {
  const errors: ProblemFieldError[] = [];
  const criteria: { -readonly [K in keyof CustomerCriteria]: CustomerCriteria[K] } = {};
  if (query.phone !== undefined) {
    let phone: string | undefined;
    try {
      phone = normalisePhone(query.phone);
    } catch {
      const digits = query.phone.replace(/\D/g, '');
      if (digits.length >= 4) phone = digits;
    }
    if (phone === undefined) errors.push({ path: '/querystring/phone', message: 'needs at least 4 digits' });
    else criteria.phone = phone;
  }
  if (query.plate !== undefined) {
    const plate = compactPlate(query.plate);
    if (plate.length < 2)
      errors.push({ path: '/querystring/plate', message: 'needs at least 2 letters or digits' });
    else criteria.plate = plate;
  }
  if (query.name !== undefined) {
    const name = query.name.trim().replace(/\s+/g, ' ');
    if (name.length < 2) errors.push({ path: '/querystring/name', message: 'needs at least 2 characters' });
    else criteria.name = name;
  }
  if (query.email !== undefined) {
    const email = normaliseProofEmail(query.email);
    if (email.length < 3) errors.push({ path: '/querystring/email', message: 'needs at least 3 characters' });
    else criteria.email = email;
  }
  if (query.reference !== undefined) {
    const compact = query.reference.toUpperCase().replace(/[^A-Z0-9]/g, '');
    if (compact.length < 4)
      errors.push({ path: '/querystring/reference', message: 'needs at least 4 characters' });
    else criteria.reference = parseBookingReference(compact) ?? compact;
  }
  if (errors.length > 0) return { ok: false, errors };
  if (Object.keys(criteria).length === 0) {
    return {
      ok: false,
      errors: [
        { path: '/querystring', message: 'give at least one of phone, plate, name, email, reference' },
      ],
    };
  }
  return { ok: true, criteria };
}

export function registerCustomerSearchRoutes(app: ReadApiApp, context: RouteContext): void {
  app.get(
    '/staff/customers',
    {
      preHandler: requirePermission('customer.search'),
      schema: {
        operationId: 'searchCustomers',
        tags: ['staff'],
        summary: 'Find customers by phone, plate, name, e-mail or booking reference',
        description: 'Criteria combine with AND. Centre staff see the customers of their centres only.',
        security: [{ bearerAuth: [] }],
        querystring: CustomerSearchQuerystring,
        response: { 200: pageOf(CustomerHitView), ...STAFF_PROBLEMS },
      },
    },
    async (request, reply) => {
      neverStore(reply);
      const principal = callerOf(request);
      const parsed = customerCriteria(request.query);
      if (!parsed.ok) return replyProblem(reply, invalidRequest(parsed.errors));
      // The scope is part of the fingerprint: a cursor never crosses callers of different reach.
      const scope = tenantScopeOf(principal);
      const fingerprint = queryFingerprint({ route: 'customers', criteria: parsed.criteria, scope });
      const paging = pageRequest(request.query, fingerprint);
      if (!paging.ok) return replyProblem(reply, invalidCursor(paging.reason));
      const result = await context.ports.searchCustomers(scope, parsed.criteria, paging.page);
      return responsePage(result, fingerprint, (hit) => ({
        customerId: hit.customerId,
        kind: hit.kind,
        name: hit.name,
        email: hit.email,
        phone: hit.phone,
        siret: hit.siret,
        plates: [...hit.plates],
        bookingCount: hit.bookingCount,
        lastBooking:
          hit.lastBooking === null
            ? null
            : {
                bookingId: hit.lastBooking.bookingId,
                reference: hit.lastBooking.reference,
                centreId: hit.lastBooking.centreId,
                start: hit.lastBooking.start,
                status: hit.lastBooking.status,
              },
      }));
    },
  );
}
