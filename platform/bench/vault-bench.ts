/**
 * Personal-data vault benchmark on PostgreSQL (issue "personal data": ≤ 10 % fewer events/s with
 * the vault than without, on the ledger's single-event append workload).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:vault -w @pti/platform
 *   options: --seconds 20 --writers 16 --rounds 4 --decompose --control
 *
 * On a fresh database `pti_bench_vault_<pid>` (its own per run: runs of other people on a shared
 * machine neither meet nor drop it):
 *   1. the single-event workload of ledger-bench.ts — 16 writers, one event per append with an
 *      exact expected revision, each on its own stream — with events carrying a customer block
 *      (name, e-mail, phone, plate): a BookingPlaced whose stream belongs to one customer; run
 *      without and with the vault decorator, alternating for `--rounds` rounds in the order
 *      plain, vault, vault, plain, … (a steady drift of the machine then falls on both), each round
 *      `--seconds / rounds` long per variant. The overhead is given on the totals and per pair of
 *      rounds (min, median, max: the spread is the noise of the machine);
 *   2. for information, the worst case: every append is a new booking of a new customer (a data
 *      key created and wrapped, the key claimed with the subject index and activity in one
 *      statement, claims of concurrent appends sent together);
 *   3. for information, events without personal data (most of a booking's life: holds,
 *      confirmations, payments, check-ins) — the ledger bench's payload on calendar streams.
 *   [2] and [3] run each variant in two alternating halves (plain, vault, vault, plain), as [1].
 *   4. with `--decompose`, where the overhead of [1] goes, in alternating rounds: the plain ledger;
 *      the vault's stored payload appended without the vault (the same bytes in PostgreSQL, no
 *      encryption); the same plus the one AES-256-GCM envelope sealed per event (`sealEnvelope`,
 *      nothing else of the codec); the whole codec run on each append but the plain payload
 *      appended (the codec's own CPU, without the effect of the stored bytes); the vault.
 * With `--control`, the "vault" variant of [1], [2] and [3] is the plain ledger itself (an A/A
 * run): the overhead it prints is the noise of the machine, to read the real run against.
 * Each line also gives the CPU time this client process spent per event (when PostgreSQL runs on
 * the same machine, the encryption's CPU is taken from the database's, so the overhead in
 * events/s follows the client CPU added per event and the cores available), the CPU time of the
 * run database's PostgreSQL backends per event (read from /proc when the server is local; not
 * counted: the server's shared processes, WAL writer and checkpointer) and the SQL statements
 * the vault itself ran per append (its key store runs over a counting executor; 0 in the steady
 * state of [1]: keys cached, links and activity already recorded today).
 * Figures are printed; nothing is asserted. The load average is printed at the start and the end:
 * on a shared machine the events/s are only comparable within one run; the CPU per event is
 * steadier but moves with throughput too (per-statement costs spread over fewer events in smaller
 * batches): read both against a `--control` run made at the same time.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { type EventMetadata, eventSamples } from '@pti/events';
import pg from 'pg';
import { pgExecutor } from '../src/database/pg.js';
import type { SqlExecutor, TransactionalSqlExecutor } from '../src/database/sql-executor.js';
import { createPostgresLedger, type EventToAppend, type Ledger } from '../src/ledger/index.js';
import {
  createPersonalDataCodec,
  generateMasterKeyBase64,
  openVault,
  withPersonalData,
} from '../src/personal-data/index.js';
import { sealEnvelope } from '../src/personal-data/personal-data-codec.js';
import { fmt, LatencyRecorder, now, withProgress } from './bench-kit.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    writers: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '4' },
    decompose: { type: 'boolean', default: false },
    control: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(args.seconds);
const WRITERS = Number(args.writers);
const ROUNDS = Math.max(1, Number(args.rounds));
const baseUrl = process.env.DATABASE_URL;
if (!baseUrl) {
  console.error('DATABASE_URL is required: this benchmark measures the vault on the PostgreSQL ledger.');
  process.exit(2);
}
const DATABASE = `pti_bench_vault_${process.pid}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function dbUrl(name: string): string {
  const u = new URL(baseUrl ?? '');
  u.pathname = `/${name}`;
  return u.toString();
}

const metadata: EventMetadata = {
  tenantId: 'bench',
  actor: { id: 'bench', role: 'system' },
  correlationId: 'bench',
  causationId: null,
  occurredAt: new Date().toISOString(),
  schemaVersion: 2,
};

/** A BookingPlaced of `customerId` with a customer block: name, e-mail, phone, plate. */
function booking(bookingId: string, customerId: string, n: number): EventToAppend {
  return {
    id: randomUUID(),
    type: 'BookingPlaced',
    data: {
      ...eventSamples.BookingPlaced,
      bookingId,
      customerId,
      customer: {
        kind: 'private',
        name: `Camille Martin ${n}`,
        email: `camille.martin.${n}@example.fr`,
        phone: '+33612345678',
        address: null,
      },
      vehicle: { plate: 'AB-123-CD', category: 'VP', fuel: 'Diesel' },
    },
    metadata,
  };
}

/** SQL statements run by the vault's key store (the ledger's own are not counted). */
let vaultStatements = 0;

function countingExecutor(inner: TransactionalSqlExecutor): TransactionalSqlExecutor {
  const counted = (sql: SqlExecutor): SqlExecutor => ({
    query: <R>(text: string, params?: readonly unknown[]) => {
      vaultStatements++;
      return sql.query<R>(text, params);
    },
    exec: (script: string) => {
      vaultStatements++;
      return sql.exec(script);
    },
  });
  return {
    ...counted(inner),
    transaction: (fn, ends) => inner.transaction((tx, first) => fn(counted(tx), first), ends),
  };
}

/**
 * CPU time (user + system, µs) of the PostgreSQL backends serving this run's database, when the
 * server runs on this machine (its processes readable in /proc); null otherwise. Backends that
 * ended meanwhile are missed: the pool keeps its connections through a run.
 */
let backendPids: () => Promise<readonly number[]> = async () => [];
const TICK_MICROS = 10_000; // USER_HZ = 100 on Linux

function backendCpu(pids: readonly number[]): Map<number, number> | null {
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) * TICK_MICROS);
    } catch {
      return null;
    }
  }
  return cpu;
}

async function backendCpuNow(): Promise<Map<number, number> | null> {
  return backendCpu(await backendPids());
}

function backendCpuSince(before: Map<number, number> | null, after: Map<number, number> | null): number {
  if (before === null || after === null) return Number.NaN;
  let total = 0;
  for (const [pid, micros] of after) total += micros - (before.get(pid) ?? 0);
  return total;
}

interface Run {
  readonly events: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
  /** CPU time of this (client) process, user + system, in µs. */
  readonly cpuMicros: number;
  /** CPU time of the database's PostgreSQL backends, in µs (NaN when not readable). */
  readonly serverCpuMicros: number;
  readonly vaultStatements: number;
}

async function closedLoop(
  label: string,
  seconds: number,
  step: (writer: number, i: number) => Promise<void>,
): Promise<Run> {
  const latency = new LatencyRecorder();
  let events = 0;
  const statementsBefore = vaultStatements;
  const serverBefore = await backendCpuNow();
  const cpuBefore = process.cpuUsage();
  const started = now();
  const deadline = started + seconds * 1000;
  await withProgress(
    label,
    () => `${fmt(events / ((now() - started) / 1000))} events/s`,
    () =>
      Promise.all(
        Array.from({ length: WRITERS }, async (_, w) => {
          for (let i = 0; now() < deadline; i++) {
            const t = now();
            await step(w, i);
            latency.record(now() - t);
            events++;
          }
        }),
      ),
  );
  const { p50, p99 } = latency.summary();
  const cpu = process.cpuUsage(cpuBefore);
  const elapsed = (now() - started) / 1000;
  const serverCpuMicros = backendCpuSince(serverBefore, await backendCpuNow());
  return {
    events,
    seconds: elapsed,
    p50,
    p99,
    cpuMicros: cpu.user + cpu.system,
    serverCpuMicros,
    vaultStatements: vaultStatements - statementsBefore,
  };
}

/** Own stream per writer, one customer per stream, exact expected revision. */
const ownStream = (ledger: Ledger, tag: string) => {
  const customers = Array.from({ length: WRITERS }, () => randomUUID());
  return (w: number, i: number) =>
    ledger
      .append(`booking-${tag}-w${w}`, [booking(`${tag}-w${w}`, customers[w] ?? '', i)], BigInt(i))
      .then(() => undefined);
};

const slotHeld = {
  centreId: 'c-0001',
  start: '2026-12-01T09:00',
  durationMinutes: 45,
  priceCents: 7800,
  channel: 'web',
};

/** Own calendar stream per writer, events without personal data. */
const withoutPersonalData = (ledger: Ledger, tag: string) => (w: number, i: number) =>
  ledger
    .append(
      `calendar-${tag}-w${w}-2026-12-01`,
      [{ id: randomUUID(), type: 'SlotHeld', data: slotHeld, metadata }],
      BigInt(i),
    )
    .then(() => undefined);

/** Every append a new booking stream of a new customer. */
const newCustomerEach = (ledger: Ledger) => (_w: number, i: number) => {
  const id = randomUUID();
  return ledger.append(`booking-${id}`, [booking(id, randomUUID(), i)], 'no_stream').then(() => undefined);
};

const combine = (runs: readonly Run[]) => {
  const events = runs.reduce((s, r) => s + r.events, 0);
  const seconds = runs.reduce((s, r) => s + r.seconds, 0);
  return {
    eventsPerSec: events / seconds,
    events,
    p50: runs.reduce((s, r) => s + r.p50, 0) / runs.length,
    p99: Math.max(...runs.map((r) => r.p99)),
    clientCpuMicrosPerEvent: runs.reduce((s, r) => s + r.cpuMicros, 0) / events,
    serverCpuMicrosPerEvent: runs.reduce((s, r) => s + r.serverCpuMicros, 0) / events,
    vaultStatementsPerEvent: runs.reduce((s, r) => s + r.vaultStatements, 0) / events,
  };
};

const overheadOf = (plain: Run, vault: Run): number =>
  (1 - vault.events / vault.seconds / (plain.events / plain.seconds)) * 100;

const load = () =>
  loadavg()
    .map((n) => fmt(n, 2))
    .join(' ');
console.log(`load average at start: ${load()}`);
await admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
await admin(`CREATE DATABASE ${DATABASE}`);
try {
  const url = dbUrl(DATABASE);
  const ledger = createPostgresLedger({
    connectionString: url,
    schema: 'bench',
    poolMax: WRITERS + 4,
    listen: false,
  });
  // Idle connections ended by the server (the database dropped at the end) are no crash.
  ledger.pool.on('error', () => undefined);
  backendPids = async () =>
    (
      await ledger.pool.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
      )
    ).rows.map((row) => row.pid);
  await ledger.migrate();
  // The vault shares the ledger's pool, as a process would, through a counting executor.
  const opened = await openVault({
    database: { sql: countingExecutor(pgExecutor(ledger.pool)) },
    schema: 'bench_vault',
    masterKey: generateMasterKeyBase64(),
    dataDir: 'memory://',
  });
  // `--control`: the same plain ledger in both slots (A/A), to show what the machine's noise alone gives.
  const vaulted = args.control ? { ...ledger } : withPersonalData(ledger, opened.vault);
  if (args.control) console.log('\n--control: the "with vault" variants are the plain ledger (A/A run)');

  const roundSeconds = SECONDS / ROUNDS;
  /**
   * [2] and [3]: `seconds` per variant in two alternating halves (plain, vault, vault, plain), as
   * [1] does, so neither variant always runs second (on a growing database, after the other's garbage).
   */
  const alternate = async (
    name: string,
    seconds: number,
    workload: (target: Ledger, tag: string) => (w: number, i: number) => Promise<void>,
  ): Promise<[Run[], Run[]]> => {
    const plainRuns: Run[] = [];
    const vaultRuns: Run[] = [];
    const plainHalf = (half: number) =>
      closedLoop(`plain ${name} ${half}`, seconds / 2, workload(ledger, `p${name}${half}`));
    const vaultHalf = (half: number) =>
      closedLoop(`vault ${name} ${half}`, seconds / 2, workload(vaulted, `v${name}${half}`));
    plainRuns.push(await plainHalf(1));
    vaultRuns.push(await vaultHalf(1));
    vaultRuns.push(await vaultHalf(2));
    plainRuns.push(await plainHalf(2));
    return [plainRuns, vaultRuns];
  };
  console.log(
    `\n[1] single-event appends with a customer block: ${WRITERS} writers, own stream each, expected revision; ` +
      `${ROUNDS} round(s) × ${fmt(roundSeconds, 1)} s per variant, alternating`,
  );
  const plainRuns: Run[] = [];
  const vaultRuns: Run[] = [];
  // Warm-up of both paths (prepared statements, the pool, JIT, the key cache of the first customers).
  await closedLoop('warm-up plain', 1, ownStream(ledger, 'warm-plain'));
  await closedLoop('warm-up vault', 1, ownStream(vaulted, 'warm'));
  for (let round = 0; round < ROUNDS; round++) {
    const plainRound = () => closedLoop(`plain r${round + 1}`, roundSeconds, ownStream(ledger, `p${round}`));
    const vaultRound = () => closedLoop(`vault r${round + 1}`, roundSeconds, ownStream(vaulted, `v${round}`));
    if (round % 2 === 0) {
      plainRuns.push(await plainRound());
      vaultRuns.push(await vaultRound());
    } else {
      vaultRuns.push(await vaultRound());
      plainRuns.push(await plainRound());
    }
  }
  const plain = combine(plainRuns);
  const vault = combine(vaultRuns);
  const overhead = (1 - vault.eventsPerSec / plain.eventsPerSec) * 100;
  const perRound = plainRuns
    .map((p, i) => {
      const v = vaultRuns[i];
      return v ? overheadOf(p, v) : Number.NaN;
    })
    .sort((a, b) => a - b);
  const median =
    perRound.length % 2 === 1
      ? (perRound[(perRound.length - 1) / 2] ?? Number.NaN)
      : ((perRound[perRound.length / 2 - 1] ?? Number.NaN) + (perRound[perRound.length / 2] ?? Number.NaN)) /
        2;
  const line = (name: string, r: ReturnType<typeof combine>) =>
    `    ${name.padEnd(18)} ${fmt(r.eventsPerSec).padStart(8)} events/s  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  client CPU ${fmt(r.clientCpuMicrosPerEvent)} µs/event  PG backends CPU ${fmt(r.serverCpuMicrosPerEvent)} µs/event  vault SQL ${fmt(r.vaultStatementsPerEvent, 4)}/append  (${fmt(r.events)} events)`;
  console.log(line('without vault', plain));
  console.log(line('with vault', vault));
  for (const [i, p] of plainRuns.entries()) {
    const v = vaultRuns[i];
    if (v)
      console.log(
        `      round ${i + 1}: ${fmt(p.events / p.seconds)} → ${fmt(v.events / v.seconds)} events/s, ${fmt(overheadOf(p, v), 1)} %; client CPU ${fmt(p.cpuMicros / p.events, 1)} → ${fmt(v.cpuMicros / v.events, 1)} µs/event, PG backends ${fmt(p.serverCpuMicros / p.events, 1)} → ${fmt(v.serverCpuMicros / v.events, 1)} µs/event`,
      );
  }
  console.log(
    `    overhead ${fmt(overhead, 1)} % fewer events/s (target ≤ 10 %); per round min ${fmt(perRound[0] ?? Number.NaN, 1)} %, median ${fmt(median, 1)} %, max ${fmt(perRound[perRound.length - 1] ?? Number.NaN, 1)} %`,
  );

  console.log(
    `\n[2] for information: every append a new booking of a new customer, ${fmt(roundSeconds, 1)} s per variant in 2 alternating rounds`,
  );
  const [plainNewRuns, vaultNewRuns] = await alternate('new', roundSeconds, (target) =>
    newCustomerEach(target),
  );
  const plainNew = combine(plainNewRuns);
  const vaultNew = combine(vaultNewRuns);
  console.log(line('without vault', plainNew));
  console.log(line('with vault', vaultNew));
  console.log(
    `    overhead ${fmt((1 - vaultNew.eventsPerSec / plainNew.eventsPerSec) * 100, 1)} % fewer events/s`,
  );

  console.log(
    `\n[3] for information: events without personal data, own stream each, ${fmt(roundSeconds, 1)} s per variant in 2 alternating rounds`,
  );
  const [plainNoneRuns, vaultNoneRuns] = await alternate('none', roundSeconds, (target, tag) =>
    withoutPersonalData(target, tag),
  );
  const plainNone = combine(plainNoneRuns);
  const vaultNone = combine(vaultNoneRuns);
  console.log(line('without vault', plainNone));
  console.log(line('with vault', vaultNone));
  console.log(
    `    overhead ${fmt((1 - vaultNone.eventsPerSec / plainNone.eventsPerSec) * 100, 1)} % fewer events/s`,
  );

  let decomposition: Record<string, ReturnType<typeof combine>> | undefined;
  if (args.decompose) {
    console.log(
      `\n[4] where the overhead of [1] goes: ${ROUNDS} round(s) × ${fmt(roundSeconds, 1)} s per variant, alternating`,
    );
    // The payload the vault stores for a booking of [1], appended as is by the plain ledger.
    const [stored] = await createPersonalDataCodec(opened.vault).encode('booking-decompose', [
      booking('decompose', randomUUID(), 1),
    ]);
    const storedData = stored?.data ?? {};
    const key = await opened.vault.encryptionKey(randomUUID());
    const pointers = ['/customer/email', '/customer/name', '/customer/phone', '/vehicle/plate'];
    const sameBytes = (events: readonly EventToAppend[]): EventToAppend[] =>
      events.map((e) => ({
        ...e,
        data: { ...storedData, bookingId: e.data.bookingId, customerId: e.data.customerId },
      }));
    // The codec runs on every append (encryption, activity, key lookup) but the plain events are
    // what the ledger appends: the codec's CPU alone, the stored bytes left out.
    const originals = new Map<string, EventToAppend>();
    const plainBehind = withPersonalData(
      {
        ...ledger,
        append: (stream, encoded, expected) =>
          ledger.append(
            stream,
            encoded.map((e) => {
              const original = originals.get(e.id) ?? e;
              originals.delete(e.id);
              return original;
            }),
            expected,
          ),
      },
      opened.vault,
    );
    const codecOnly: Ledger = {
      ...ledger,
      append: (stream, events, expected) => {
        for (const e of events) originals.set(e.id, e);
        return plainBehind.append(stream, events, expected);
      },
    };
    const variants: readonly (readonly [string, Ledger])[] = [
      ['plain', ledger],
      [
        'same bytes',
        {
          ...ledger,
          append: (stream, events, expected) => ledger.append(stream, sameBytes(events), expected),
        },
      ],
      [
        'bytes + 1 seal',
        {
          ...ledger,
          append: (stream, events, expected) => {
            for (const e of events) {
              const customer = e.data.customer as Record<string, unknown>;
              const vehicle = e.data.vehicle as Record<string, unknown>;
              sealEnvelope(key, e.id, pointers, [
                customer.email,
                customer.name,
                customer.phone,
                vehicle.plate,
              ]);
            }
            return ledger.append(stream, sameBytes(events), expected);
          },
        },
      ],
      ['codec, plain bytes', codecOnly],
      ['vault', vaulted],
    ];
    const runs = new Map<string, Run[]>(variants.map(([name]) => [name, []]));
    const order = variants.map((_, index) => index);
    for (let round = 0; round < ROUNDS; round++) {
      for (const index of round % 2 === 0 ? order : [...order].reverse()) {
        const [name, target] = variants[index] ?? ['plain', ledger];
        const run = await closedLoop(
          `${name} r${round + 1}`,
          roundSeconds,
          ownStream(target, `d${round}v${index}`),
        );
        runs.get(name)?.push(run);
      }
    }
    decomposition = {};
    const base = combine(runs.get('plain') ?? []);
    for (const [name] of variants) {
      const r = combine(runs.get(name) ?? []);
      decomposition[name] = r;
      console.log(`${line(name, r)}  ${fmt((1 - r.eventsPerSec / base.eventsPerSec) * 100, 1)} %`);
    }
  }

  const keys = await ledger.pool.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM bench_vault.vault_keys',
  );
  console.log(`\n    ${fmt(Number(keys.rows[0]?.n))} data keys in the vault`);
  console.log(`load average at the end: ${load()}`);
  console.log(
    `\nJSON ${JSON.stringify({ plain, vault, overheadPercent: overhead, overheadPerRound: perRound, newCustomerEach: { plain: plainNew, vault: vaultNew }, withoutPersonalData: { plain: plainNone, vault: vaultNone }, decomposition })}`,
  );
  await opened.close();
  await ledger.close();
} finally {
  await admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
}
