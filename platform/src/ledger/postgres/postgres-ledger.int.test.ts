import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';
import { postgresUrlForTests } from '../../testing/test-stores.js';
import { describeLedgerContract } from '../ledger-contract.js';
import { createPostgresLedger, type PostgresLedger } from './postgres-ledger.js';

const url = await postgresUrlForTests();
const schemas: string[] = [];

if (url) {
  describeLedgerContract('postgres', {
    async open() {
      const schema = `test_ledger_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      schemas.push(schema);
      const ledger = createPostgresLedger({
        connectionString: url,
        schema,
        pollIntervalMs: 100,
        poolMax: 24,
      });
      await ledger.migrate();
      return ledger;
    },
    appendHeldOpen: (ledger, stream, events, expected, holdMs) =>
      (ledger as PostgresLedger).appendHeldOpen(stream, events, expected, holdMs),
  });
  afterAll(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await client.end();
  });
} else {
  describe('ledger contract: postgres', () => {
    it.skip('DATABASE_URL unset and no Docker engine answered: PostgreSQL contract skipped (PGlite runs the same SQL)', () => {});
  });
}
