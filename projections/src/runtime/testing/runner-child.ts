/**
 * A projection process for the crash test (`crash.int.test.ts`): runs every projector against the
 * PostgreSQL ledger and read-model database named by the environment until it is killed.
 *
 * PTI_CHILD_DATABASE_URL, PTI_CHILD_NAMESPACE (projection layout), PTI_CHILD_LEDGER_SCHEMA,
 * PTI_CHILD_CLOCK (ISO instant: the projections' clock), optional PTI_CHILD_REDIS_URL.
 */
import { createDatabase, createPostgresLedger, createRedisCache } from '@pti/platform';
import { PROJECTORS } from '../../projectors.js';
import { projectionLayout } from '../layout.js';
import { createProjectionRunner } from '../runner.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
};

const url = env('PTI_CHILD_DATABASE_URL');
const namespace = env('PTI_CHILD_NAMESPACE');
const clock = new Date(env('PTI_CHILD_CLOCK'));
const redis = process.env.PTI_CHILD_REDIS_URL;
const ledger = createPostgresLedger({
  connectionString: url,
  schema: env('PTI_CHILD_LEDGER_SCHEMA'),
  pollIntervalMs: 20,
});
const database = await createDatabase({ kind: 'postgres', url, poolMax: 4 });
const runner = createProjectionRunner({
  ledger,
  db: database.sql,
  cache: redis ? createRedisCache(redis, { keyPrefix: `${namespace}:` }) : undefined,
  projectors: PROJECTORS,
  layout: projectionLayout(namespace),
  batchSize: 20,
  catchUpBatchSize: 300,
  retryDelayMs: 50,
  clock: () => clock,
});
await runner.start();
process.stdout.write('started\n');
