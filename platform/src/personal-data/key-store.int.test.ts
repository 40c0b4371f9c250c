import { randomBytes } from 'node:crypto';
import { afterAll, describe, it } from 'vitest';
import { createPgPool, pgExecutor } from '../database/pg.js';
import { openPglite, pgliteExecutor } from '../database/pglite.js';
import { describeKeyStoreContract } from './key-store-contract.js';
import { createMemoryKeyStore } from './memory-key-store.js';
import { createSqlKeyStore } from './sql-key-store.js';

describeKeyStoreContract('memory', { open: async () => createMemoryKeyStore() });

describeKeyStoreContract('pglite', {
  async open() {
    const pglite = await openPglite('memory://');
    const store = createSqlKeyStore({
      sql: pgliteExecutor(pglite),
      schema: `t_keys_${randomBytes(5).toString('hex')}`,
      close: () => pglite.close(),
    });
    await store.migrate();
    // A second migration finds nothing to do.
    const again = await store.migrate();
    if (again === null || again.applied.length !== 0) throw new Error('vault migration ran twice');
    return store;
  },
});

const url = process.env.DATABASE_URL;
if (url === undefined || url === '') {
  describe('key store contract: postgres', () => {
    it.skip('DATABASE_URL unset: PostgreSQL key store skipped (PGlite runs the same SQL)', () => {});
  });
} else {
  const schema = `t_keys_${randomBytes(5).toString('hex')}`;
  const pool = createPgPool({ url, max: 4 });
  describeKeyStoreContract('postgres', {
    async open() {
      const store = createSqlKeyStore({ sql: pgExecutor(pool), schema });
      await store.migrate();
      return store;
    },
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });
}
