import { defineProjector, publicTable } from '../projector.js';
import { upsertRows } from '../sql.js';

/**
 * The smallest complete projector, as a model to copy: one row per centre with its name, city and
 * active flag. It shows the three rules every projector follows:
 *
 * 1. tables are created in the `schema` its migrations receive, and written through `ctx.table`;
 * 2. every row carries `tenant_id` from the event's metadata;
 * 3. `apply` is idempotent and batch-friendly: it folds the batch into the rows it changes, keyed by
 *    natural id, then writes them with one multi-row upsert (`upsertRows`). Reading the current row
 *    first (here, for partial updates) goes through `ctx.memory` so catch-up never re-reads.
 */
export interface ExampleCentreRow {
  readonly tenant_id: string;
  readonly centre_id: string;
  readonly name: string;
  readonly city: string;
  readonly active: boolean;
}

export const exampleProjector = defineProjector({
  name: 'example',
  version: 1,
  tables: ['example_centres'],
  filter: { streamPrefixes: ['centre-'] },
  migrations: (schema) => [
    {
      version: 1,
      name: 'example_centres',
      sql: `create table ${schema}.example_centres (
              tenant_id text not null,
              centre_id text primary key,
              name text not null,
              city text not null,
              active boolean not null
            );${publicTable(schema, 'example_centres')}`,
    },
  ],
  async apply(batch, ctx) {
    const changed = new Map<string, ExampleCentreRow>();
    const current = async (centreId: string): Promise<ExampleCentreRow | undefined> => {
      const known = changed.get(centreId) ?? ctx.memory.get(centreId);
      if (known !== undefined) return known as ExampleCentreRow;
      const { rows } = await ctx.tx.query<ExampleCentreRow>(
        `select tenant_id, centre_id, name, city, active from ${ctx.table('example_centres')} where centre_id = $1`,
        [centreId],
      );
      return rows[0];
    };
    for (const event of batch.events) {
      switch (event.type) {
        case 'CentreRegistered':
          changed.set(event.data.centreId, {
            tenant_id: event.metadata.tenantId,
            centre_id: event.data.centreId,
            name: event.data.name,
            city: event.data.city,
            active: true,
          });
          break;
        case 'CentreDetailsUpdated': {
          const row = await current(event.data.centreId);
          if (row) changed.set(row.centre_id, { ...row, name: event.data.name, city: event.data.city });
          break;
        }
        case 'CentreDeactivated':
        case 'CentreReactivated': {
          const row = await current(event.data.centreId);
          if (row) changed.set(row.centre_id, { ...row, active: event.type === 'CentreReactivated' });
          break;
        }
        default:
          break;
      }
    }
    await upsertRows(ctx.tx, ctx.table('example_centres'), [...changed.values()], { key: ['centre_id'] });
    for (const row of changed.values()) ctx.memory.set(row.centre_id, row);
  },
});
