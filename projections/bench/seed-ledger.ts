/**
 * Generates (or confirms) the benchmarks' cached PostgreSQL ledger without running a benchmark.
 *
 *   DATABASE_URL=postgres://… BENCH_EVENTS=2000000 npm run bench:seed -w @pti/projections
 */
import { BENCH_LEDGER_SCHEMA, ensureBenchLedger } from './bench-ledger.js';

const url = process.env.DATABASE_URL;
if (url === undefined) throw new Error('DATABASE_URL is required');
const target = Number(process.env.BENCH_EVENTS ?? 2_000_000);
const ledger = await ensureBenchLedger({
  url,
  schema: process.env.BENCH_LEDGER_SCHEMA ?? BENCH_LEDGER_SCHEMA,
  target,
  centres: Number(process.env.BENCH_CENTRES ?? 200),
  onProgress: (line) => process.stderr.write(`${line}\n`),
});
console.log(
  ledger.seconds === 0
    ? `bench ledger: ${ledger.events} events (reused)`
    : `bench ledger: ${ledger.events} events generated in ${ledger.seconds.toFixed(0)} s (${Math.round(ledger.events / ledger.seconds)} ev/s)`,
);
