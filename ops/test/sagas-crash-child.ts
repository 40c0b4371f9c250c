/**
 * The platform process of the sagas' crash test (`sagas-crash.int.test.ts`): write side, sagas and
 * their routes on a fixed port, against PostgreSQL, with the providers (Payzen and AdelSoft
 * simulators) living in the parent test process so that what they received survives the kills. Its
 * clock runs in real time from an instant the parent chooses. Prints `ready` once listening. The
 * parent kills it with SIGKILL.
 */
import { writeSideSecretsFromValues } from '@pti/write-side';
import { openSagasPlatform } from './sagas-platform.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
};

const origin = Date.parse(env('PTI_CHILD_CLOCK'));
const startedAt = Date.now();
const platform = await openSagasPlatform({
  databaseUrl: env('PTI_CHILD_DATABASE_URL'),
  schema: env('PTI_CHILD_SCHEMA'),
  port: Number(env('PTI_CHILD_PORT')),
  clock: { now: () => new Date(origin + (Date.now() - startedAt)) },
  secrets: writeSideSecretsFromValues({
    manageTokenSecrets: env('PTI_CHILD_MANAGE_SECRET'),
    customerIdSecret: env('PTI_CHILD_CUSTOMER_SECRET'),
  }),
  pollIntervalMs: 50,
  sagasEnv: JSON.parse(env('PTI_CHILD_SAGAS_ENV')) as Record<string, string>,
});
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void platform.close().then(() => process.exit(0));
});
