import {
  type CentreEvent,
  centreEventDefinitions,
  type PriceEntry,
  tryParseStreamName,
  type WeeklyHours,
} from '@pti/events';
import { type CentreState, evolveCentre, initialCentreState } from '@pti/write-side/domain';
import type { ProjectionEvent } from '../runtime/projector.js';
import { defineProjector, publicTable } from '../runtime/projector.js';
import { upsertRows } from '../runtime/sql.js';

/**
 * # Centres read model
 *
 * One row per centre in `rm.centres`, folded with the write side's own `evolveCentre`: public
 * details, position, opening hours, closures, price list, booking policy, the accreditations its
 * inspectors hold (what it can inspect) and the active flag. Public data (the booking site lists
 * centres without a tenant), so no row-level security; every row still carries `tenant_id`.
 *
 * Search (`centres-queries.ts`): postcode (exact or department prefix), town (accent- and
 * case-insensitive `city_key`), distance (a latitude/longitude bounding box on the btree index
 * `(lat, lon)`, then the exact haversine distance), filtered by what the centre prices and can
 * inspect (control type, category, fuel).
 *
 * The folded state is kept in the internal table `centre_states`, without inspector names (staff
 * personal data is not needed here and not kept).
 */

export interface CentreRow {
  readonly tenant_id: string;
  readonly centre_id: string;
  readonly code: string;
  readonly name: string;
  readonly address: string;
  readonly postcode: string;
  readonly city: string;
  /** Lower case, no accents, `-`/`'` as spaces: `saint etienne`. */
  readonly city_key: string;
  readonly lat: number;
  readonly lon: number;
  readonly phone: string;
  readonly email: string;
  readonly website: string | null;
  readonly active: boolean;
  readonly deactivation_reason: string | null;
  readonly time_zone: string;
  readonly opening_hours: WeeklyHours;
  readonly closures: readonly {
    readonly closureId: string;
    readonly from: string;
    readonly to: string;
    readonly label: string;
  }[];
  readonly prices: readonly PriceEntry[];
  /** Union of the inspectors' accreditations (`VL`, `L`, `GAZ`, `PL`), sorted. */
  readonly accreditations: readonly string[];
  readonly inspector_count: number;
  readonly minimum_notice_minutes: number;
  readonly horizon_days: number;
  readonly cancellation_cutoff_hours: number;
  readonly daily_capacity: number | null;
}

/** The key towns are searched by: lower case, accents removed, hyphens and apostrophes as spaces. */
export function townKey(town: string): string {
  return town
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/^st\b/, 'saint')
    .replace(/[-'’]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function isCentreEvent(event: ProjectionEvent): event is ProjectionEvent & CentreEvent {
  return Object.hasOwn(centreEventDefinitions, event.type);
}

/** The state without inspector names. */
function stripped(state: CentreState): CentreState {
  return { ...state, inspectors: state.inspectors.map((inspector) => ({ ...inspector, name: '' })) };
}

function rowOf(tenantId: string, state: CentreState): CentreRow | undefined {
  const details = state.details;
  if (state.centreId === null || state.code === null || details === null) return undefined;
  const accreditations = [...new Set(state.inspectors.flatMap((i) => i.accreditations))].sort();
  return {
    tenant_id: tenantId,
    centre_id: state.centreId,
    code: state.code,
    name: details.name,
    address: details.address,
    postcode: details.postcode,
    city: details.city,
    city_key: townKey(details.city),
    lat: details.position.lat,
    lon: details.position.lon,
    phone: details.contact.phone,
    email: details.contact.email,
    website: details.contact.website ?? null,
    active: state.status === 'active',
    deactivation_reason: state.deactivationReason,
    time_zone: state.timeZone,
    opening_hours: state.openingHours,
    closures: state.closures,
    prices: state.priceList?.entries ?? [],
    accreditations,
    inspector_count: state.inspectors.length,
    minimum_notice_minutes: state.policy.minimumNoticeMinutes,
    horizon_days: state.policy.horizonDays,
    cancellation_cutoff_hours: state.policy.cancellationCutoffHours,
    daily_capacity: state.dailyCapacity,
  };
}

interface Entry {
  readonly tenantId: string;
  readonly state: CentreState;
}

export const centresProjector = defineProjector({
  name: 'centres',
  version: 1,
  tables: ['centres'],
  // Search indexes; apply reads centres by id.
  deferredIndexes: ['centres_postcode', 'centres_city_key', 'centres_position', 'centres_tenant'],
  filter: { streamPrefixes: ['centre-'] },
  migrations: (schema) => [
    {
      version: 1,
      name: 'centres',
      sql: `
create table ${schema}.centre_states (
  centre_id text primary key,
  tenant_id text not null,
  state jsonb not null
);
create table ${schema}.centres (
  tenant_id text not null,
  centre_id text primary key,
  code text not null,
  name text not null,
  address text not null,
  postcode text not null,
  city text not null,
  city_key text not null,
  lat double precision not null,
  lon double precision not null,
  phone text not null,
  email text not null,
  website text,
  active boolean not null,
  deactivation_reason text,
  time_zone text not null,
  opening_hours jsonb not null,
  closures jsonb not null,
  prices jsonb not null,
  accreditations text[] not null,
  inspector_count int not null,
  minimum_notice_minutes int not null,
  horizon_days int not null,
  cancellation_cutoff_hours int not null,
  daily_capacity int
);
create index centres_postcode on ${schema}.centres (postcode text_pattern_ops);
create index centres_city_key on ${schema}.centres (city_key text_pattern_ops);
create index centres_position on ${schema}.centres (lat, lon);
create index centres_tenant on ${schema}.centres (tenant_id);
${publicTable(schema, 'centres')}`,
    },
  ],
  async apply(batch, ctx) {
    const memory = ctx.memory as Map<string, Entry>;
    const ids = [
      ...new Set(
        batch.events.flatMap((event) => {
          const parsed = tryParseStreamName(event.streamName);
          return parsed?.category === 'centre' ? [parsed.centreId] : [];
        }),
      ),
    ];
    const missing = ids.filter((id) => !memory.has(id));
    if (missing.length > 0) {
      const { rows } = await ctx.tx.query<{ centre_id: string; tenant_id: string; state: CentreState }>(
        `select centre_id, tenant_id, state from ${ctx.table('centre_states')} where centre_id = any($1::text[])`,
        [missing],
      );
      for (const row of rows) memory.set(row.centre_id, { tenantId: row.tenant_id, state: row.state });
    }
    const changed = new Set<string>();
    for (const event of batch.events) {
      const parsed = tryParseStreamName(event.streamName);
      if (parsed?.category !== 'centre' || !isCentreEvent(event)) continue;
      const current = memory.get(parsed.centreId);
      memory.set(parsed.centreId, {
        tenantId: current?.tenantId ?? event.metadata.tenantId,
        state: stripped(evolveCentre(current?.state ?? initialCentreState(), event)),
      });
      changed.add(parsed.centreId);
    }
    const entries = [...changed].flatMap((id) => {
      const entry = memory.get(id);
      return entry === undefined ? [] : [{ id, entry }];
    });
    await upsertRows(
      ctx.tx,
      ctx.table('centre_states'),
      entries.map(({ id, entry }) => ({ centre_id: id, tenant_id: entry.tenantId, state: entry.state })),
      { key: ['centre_id'] },
    );
    const rows = entries.flatMap(({ entry }) => {
      const row = rowOf(entry.tenantId, entry.state);
      return row === undefined ? [] : [row];
    });
    await upsertRows(ctx.tx, ctx.table('centres'), rows, { key: ['centre_id'] });
  },
});
