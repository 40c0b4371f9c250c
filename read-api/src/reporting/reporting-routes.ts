import { requirePermission } from '@pti/platform';
import { Type } from '@sinclair/typebox';
import type { ReadApiApp, RouteContext } from '../app/route-context.js';
import { neverStore } from '../http/cache-control.js';
import { negotiate } from '../http/content-negotiation.js';
import { dateRangeErrors } from '../http/local-dates.js';
import {
  invalidRequest,
  notFound,
  problem,
  problemResponse,
  replyProblem,
  STAFF_PROBLEMS,
} from '../http/problem.js';
import { EntityId, LocalDate, Nullable, StringEnum } from '../http/schemas.js';
import { callerOf, scopeProblem, tenantScopeOf } from '../http/staff-auth.js';
import { reportingCsv } from './reporting-csv.js';
import { reportingReport } from './reporting-summary.js';

/** Staff: a centre's reporting over a period, as JSON or CSV (reporting.read). */

export const MAX_REPORTING_DAYS = 366;

const Rate = Nullable(Type.Number({ minimum: 0, description: 'Decimal ratio (0.8125 = 81.25 %)' }));
const Count = Type.Integer({ minimum: 0 });

const Figures = {
  bookings: Count,
  cancellations: Count,
  noShows: Count,
  completed: Count,
  results: Type.Object({ A: Count, S: Count, R: Count }),
  revenueCents: Type.Integer({ description: 'Euro cents; negative when refunds exceed payments' }),
  bookedMinutes: Count,
  capacityMinutes: Count,
  fillRate: Rate,
  noShowRate: Rate,
  averageLeadTimeHours: Nullable(Type.Number({ minimum: 0 })),
  channels: Type.Object({ web: Count, mobile: Count, call_centre: Count, backoffice: Count }),
};

const ReportingView = Type.Object({
  centre: Type.Object({ centreId: Type.String(), name: Type.String() }),
  from: LocalDate,
  to: LocalDate,
  currency: StringEnum(['EUR'] as const),
  days: Type.Array(Type.Object({ date: LocalDate, ...Figures })),
  totals: Type.Object(Figures),
});

const PRODUCED = ['application/json', 'text/csv'] as const;

export function registerReportingRoutes(app: ReadApiApp, context: RouteContext): void {
  app.get(
    '/staff/centres/:centreId/reporting',
    {
      preHandler: requirePermission('reporting.read'),
      schema: {
        operationId: 'getCentreReporting',
        tags: ['reporting'],
        summary: 'A centre’s bookings, fill rate, no-shows, results, revenue, lead time and channels per day',
        description:
          'JSON by default; CSV with `Accept: text/csv` or `format=csv` (which wins over Accept). ' +
          `At most ${MAX_REPORTING_DAYS} days.`,
        security: [{ bearerAuth: [] }],
        params: Type.Object({ centreId: EntityId }),
        querystring: Type.Object(
          {
            from: LocalDate,
            to: LocalDate,
            format: Type.Optional(StringEnum(['json', 'csv'] as const)),
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'The report',
            content: {
              'application/json': { schema: ReportingView },
              'text/csv': { schema: Type.String({ description: 'One row per day, then a total row' }) },
            },
          },
          406: problemResponse('Neither application/json nor text/csv is acceptable'),
          ...STAFF_PROBLEMS,
        },
      },
    },
    async (request, reply) => {
      neverStore(reply);
      const principal = callerOf(request);
      const { centreId } = request.params;
      const { from, to, format } = request.query;
      const errors = dateRangeErrors({ from, to }, MAX_REPORTING_DAYS);
      if (errors.length > 0) return replyProblem(reply, invalidRequest(errors));
      const mediaType =
        format === undefined
          ? negotiate(request.headers.accept, PRODUCED)
          : `${format === 'csv' ? 'text/csv' : 'application/json'}`;
      if (mediaType === null) {
        return replyProblem(
          reply,
          problem(406, 'NOT_ACCEPTABLE', 'this report is available as application/json or text/csv'),
        );
      }
      const centre = await context.ports.centreById(centreId);
      if (centre === null) return replyProblem(reply, notFound());
      const refusal = scopeProblem(principal, 'reporting.read', { tenantId: centre.tenantId, centreId });
      if (refusal !== null) return replyProblem(reply, refusal);
      const rows = await context.ports.reportingFacts(tenantScopeOf(principal), { centreId, from, to });
      const report = reportingReport(rows, from, to);
      reply.header('vary', 'Accept');
      if (mediaType === 'text/csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="reporting-${centreId}-${from}-${to}.csv"`)
          .send(reportingCsv(report));
      }
      return reply.type('application/json; charset=utf-8').send({
        centre: { centreId, name: centre.name },
        from,
        to,
        currency: 'EUR' as const,
        days: [...report.days],
        totals: report.totals,
      });
    },
  );
}
