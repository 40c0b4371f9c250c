import { randomUUID } from 'node:crypto';
import { bookingStream, type EventMetadata, eventSamples } from '@pti/events';
import { createMetrics, type Ledger, type TransactionalSqlExecutor } from '@pti/platform';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeTestStores, type TestStores, testBackends } from '../testing/test-stores.js';
import { backoffDelay } from './backoff.js';
import { manualClock } from './clock.js';
import { PermanentSagaError, type SagaDefinition } from './saga.js';
import { createSagaRuntime, EVENT_RETRY_KIND, type SagaRuntime } from './saga-runtime.js';
import {
  discardDeadLetter,
  findTimer,
  listDeadLetters,
  listTimers,
  retryDeadLetter,
  scheduleTimer,
} from './saga-store.js';

const START = '2026-06-15T08:00:00.000Z';

const metadata = (): EventMetadata => ({
  tenantId: 'tenant-test',
  actor: { id: 'agent-1', role: 'call_centre' },
  correlationId: randomUUID(),
  causationId: null,
  occurredAt: START,
  schemaVersion: 1,
});

/** Appends staff notes (a simple event) to one booking stream; returns their note ids. */
async function appendNotes(ledger: Ledger, count: number): Promise<string[]> {
  const noteIds = Array.from({ length: count }, () => randomUUID());
  for (const noteId of noteIds) {
    await ledger.append(
      bookingStream(eventSamples.BookingNoteAdded.bookingId),
      [
        {
          id: randomUUID(),
          type: 'BookingNoteAdded',
          data: { ...eventSamples.BookingNoteAdded, noteId },
          metadata: metadata(),
        },
      ],
      'any',
    );
  }
  return noteIds;
}

interface Probe {
  readonly saga: SagaDefinition;
  /** Note ids whose event handler throws. */
  readonly failEvents: Set<string>;
  /** Timer keys whose handler throws (`permanent`: a PermanentSagaError). */
  readonly failTimers: Map<string, 'transient' | 'permanent'>;
  /** Every timer run, by key. */
  readonly runs: string[];
}

/** A saga that records each note in its table and schedules an `echo` timer per note. */
function probeSaga(): Probe {
  const failEvents = new Set<string>();
  const failTimers = new Map<string, 'transient' | 'permanent'>();
  const runs: string[] = [];
  const saga: SagaDefinition = {
    name: 'probe',
    eventTypes: ['BookingNoteAdded'],
    migrations: (schema) => [
      {
        version: 1,
        name: 'probe notes',
        sql: `CREATE TABLE ${schema}.probe_notes (seq bigint GENERATED ALWAYS AS IDENTITY, note_id text NOT NULL, event_id text NOT NULL, handled_at timestamptz NOT NULL)`,
      },
    ],
    async onEvent(event, ctx) {
      if (event.type !== 'BookingNoteAdded') return;
      if (failEvents.has(event.data.noteId)) throw new Error(`note ${event.data.noteId} is poison`);
      await ctx.tx.query(
        `insert into ${ctx.schema}.probe_notes (note_id, event_id, handled_at) values ($1, $2, $3)`,
        [event.data.noteId, event.id, ctx.now],
      );
      await ctx.timers.schedule('echo', event.data.noteId, ctx.now, { noteId: event.data.noteId });
    },
    timers: {
      async echo(ctx) {
        runs.push(ctx.timer.key);
        const failure = failTimers.get(ctx.timer.key);
        if (failure === 'permanent') throw new PermanentSagaError('refused for good');
        if (failure === 'transient') throw new Error('provider down');
        return undefined;
      },
      async slow(ctx) {
        runs.push(ctx.timer.key);
        // Long enough for a concurrent poller to try the same rows.
        await new Promise((resolve) => setTimeout(resolve, 2));
        return undefined;
      },
    },
  };
  return { saga, failEvents, failTimers, runs };
}

async function handledNotes(sql: TransactionalSqlExecutor, schema: string): Promise<string[]> {
  const { rows } = await sql.query<{ note_id: string }>(
    `select note_id from ${schema}.probe_notes order by seq`,
  );
  return rows.map((row) => row.note_id);
}

afterAll(closeTestStores);

describe.each(testBackends())('saga runtime on $name', (backend) => {
  let stores: TestStores;
  let runtimes: SagaRuntime[];
  const clock = manualClock(START);

  const runtimeOf = (probe: Probe, sql: TransactionalSqlExecutor = stores.sql, extra = {}) => {
    const runtime = createSagaRuntime({
      ledger: stores.ledger,
      sql,
      schema: stores.schema,
      sagas: [probe.saga],
      clock,
      maxAttempts: 3,
      backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 0 },
      ...extra,
    });
    runtimes.push(runtime);
    return runtime;
  };

  beforeEach(async () => {
    clock.set(START);
    stores = await backend.open();
    runtimes = [];
  });

  afterEach(async () => {
    for (const runtime of runtimes) await runtime.stop();
    await stores.close();
  });

  it('handles each event once and keeps its effects exactly once when events are delivered again', async () => {
    const probe = probeSaga();
    const notes = await appendNotes(stores.ledger, 5);
    const runtime = runtimeOf(probe);
    await runtime.start({ poll: false });
    await runtime.settle({ until: stores.head });
    expect(await handledNotes(stores.sql, stores.schema)).toEqual(expect.arrayContaining(notes));
    expect(await handledNotes(stores.sql, stores.schema)).toHaveLength(5);
    await runtime.stop();

    // At least once: forget the checkpoint, as after a crash before it was stored.
    await stores.sql.query(`delete from ${stores.schema}.checkpoints`);
    const again = runtimeOf(probe);
    await again.start({ poll: false });
    await again.settle({ until: stores.head });
    expect(await handledNotes(stores.sql, stores.schema)).toHaveLength(5);
    expect(await listTimers(stores.sql, stores.schema, { kind: 'echo' })).toHaveLength(5);
  });

  it('resumes after a restart from its checkpoint', async () => {
    const probe = probeSaga();
    const first = await appendNotes(stores.ledger, 3);
    const runtime = runtimeOf(probe);
    await runtime.start({ poll: false });
    await runtime.settle({ until: stores.head });
    await runtime.stop();

    const later = await appendNotes(stores.ledger, 2);
    const restarted = runtimeOf(probe);
    await restarted.start({ poll: false });
    await restarted.settle({ until: stores.head });
    expect(await handledNotes(stores.sql, stores.schema)).toEqual([...first, ...later]);
    const { rows } = await stores.sql.query<{ saga: string }>(
      `select saga from ${stores.schema}.checkpoints`,
    );
    expect(rows.map((row) => row.saga)).toEqual(['probe']);
  });

  it('fires timers when the injected clock says they are due, and retries failures with exponential backoff', async () => {
    const probe = probeSaga();
    const runtime = runtimeOf(probe);
    await runtime.start({ subscribe: false, poll: false });
    const due = new Date(Date.parse(START) + 60_000);
    await scheduleTimer(
      stores.sql,
      stores.schema,
      { saga: 'probe', kind: 'echo', key: 'later', dueAt: due, payload: {}, maxAttempts: 5 },
      clock.now(),
    );
    expect(await runtime.pollOnce()).toBe(0);
    clock.set(due);
    probe.failTimers.set('later', 'transient');
    expect(await runtime.pollOnce()).toBe(1);
    const afterFirst = await findTimer(stores.sql, stores.schema, 'probe', 'echo', 'later');
    expect(afterFirst?.attempts).toBe(1);
    expect(afterFirst?.lastError).toContain('provider down');
    expect(afterFirst?.dueAt.getTime()).toBe(
      due.getTime() + backoffDelay(1, { baseMs: 1_000, maxMs: 60_000, jitter: 0 }),
    );

    clock.advance(1_000);
    await runtime.pollOnce();
    const afterSecond = await findTimer(stores.sql, stores.schema, 'probe', 'echo', 'later');
    expect(afterSecond?.dueAt.getTime()).toBe(clock.now().getTime() + 2_000);

    probe.failTimers.delete('later');
    clock.advance(1_999);
    expect(await runtime.pollOnce()).toBe(0);
    clock.advance(1);
    expect(await runtime.pollOnce()).toBe(1);
    expect(await findTimer(stores.sql, stores.schema, 'probe', 'echo', 'later')).toBeUndefined();
    expect(probe.runs).toEqual(['later', 'later', 'later']);
  });

  it('dead-letters a timer after its last attempt, or at once when the failure is permanent; ops list, retry and discard', async () => {
    const probe = probeSaga();
    const [flaky, refused] = await appendNotes(stores.ledger, 2);
    if (flaky === undefined || refused === undefined) throw new Error('two notes');
    probe.failTimers.set(flaky, 'transient');
    probe.failTimers.set(refused, 'permanent');
    const runtime = runtimeOf(probe);
    await runtime.start({ poll: false });
    await runtime.settle({ until: stores.head });
    for (let round = 0; round < 3; round++) {
      await runtime.pollOnce();
      clock.advance(60_000);
    }
    const dead = await listDeadLetters(stores.sql, stores.schema);
    expect(dead.map((letter) => [letter.key, letter.attempts])).toEqual(
      expect.arrayContaining([
        [refused, 1],
        [flaky, 3],
      ]),
    );
    expect(dead.find((letter) => letter.key === refused)?.lastError).toContain('PermanentSagaError');
    expect(await listTimers(stores.sql, stores.schema)).toEqual([]);
    expect(await runtime.backlog()).toEqual([{ saga: 'probe', due: 0, scheduled: 0, deadLetters: 2 }]);

    // Retry: back as a timer due now; it succeeds once the cause is gone.
    probe.failTimers.delete(flaky);
    const flakyLetter = dead.find((letter) => letter.key === flaky);
    if (flakyLetter === undefined) throw new Error('no dead letter');
    expect((await retryDeadLetter(stores.sql, stores.schema, flakyLetter.id, clock.now()))?.key).toBe(flaky);
    expect(await runtime.pollOnce()).toBe(1);
    expect(probe.runs.filter((key) => key === flaky)).toHaveLength(4);

    // Discard: gone for good.
    const refusedLetter = dead.find((letter) => letter.key === refused);
    if (refusedLetter === undefined) throw new Error('no dead letter');
    expect((await discardDeadLetter(stores.sql, stores.schema, refusedLetter.id))?.key).toBe(refused);
    expect(await listDeadLetters(stores.sql, stores.schema)).toEqual([]);
    expect(await discardDeadLetter(stores.sql, stores.schema, refusedLetter.id)).toBeUndefined();
    expect(await retryDeadLetter(stores.sql, stores.schema, 'not-an-id', clock.now())).toBeUndefined();
  });

  it('does not let a failing event handler block the saga: the event is retried by a timer', async () => {
    const probe = probeSaga();
    const [poison, healthy] = await appendNotes(stores.ledger, 2);
    if (poison === undefined || healthy === undefined) throw new Error('two notes');
    probe.failEvents.add(poison);
    const runtime = runtimeOf(probe);
    await runtime.start({ poll: false });
    await runtime.settle({ until: stores.head });
    expect(await handledNotes(stores.sql, stores.schema)).toEqual([healthy]);
    const deferred = await listTimers(stores.sql, stores.schema, { kind: EVENT_RETRY_KIND });
    expect(deferred).toHaveLength(1);

    probe.failEvents.delete(poison);
    clock.advance(1_000);
    await runtime.pollOnce();
    expect(await handledNotes(stores.sql, stores.schema)).toEqual([healthy, poison]);
    expect(await listTimers(stores.sql, stores.schema, { kind: EVENT_RETRY_KIND })).toEqual([]);
  });

  it('reports its backlog as metrics', async () => {
    const probe = probeSaga();
    const metrics = createMetrics({ defaultMetrics: false });
    const runtime = runtimeOf(probe, stores.sql, { metrics });
    await runtime.start({ subscribe: false, poll: false });
    await scheduleTimer(
      stores.sql,
      stores.schema,
      { saga: 'probe', kind: 'echo', key: 'now', dueAt: clock.now(), payload: {}, maxAttempts: 1 },
      clock.now(),
    );
    await scheduleTimer(
      stores.sql,
      stores.schema,
      {
        saga: 'probe',
        kind: 'echo',
        key: 'tomorrow',
        dueAt: new Date(Date.parse(START) + 86_400_000),
        payload: {},
        maxAttempts: 1,
      },
      clock.now(),
    );
    const text = await metrics.metricsText();
    expect(text).toContain('pti_saga_timers_due{saga="probe"} 1');
    expect(text).toContain('pti_saga_timers_scheduled{saga="probe"} 2');
    expect(text).toContain('pti_saga_dead_letters{saga="probe"} 0');
    await runtime.pollOnce();
    expect(await metrics.metricsText()).toContain(
      'pti_saga_timer_runs_total{saga="probe",kind="echo",outcome="done"} 1',
    );
  });

  it('never fires one timer twice when two pollers (two processes) claim concurrently', async () => {
    const probe = probeSaga();
    const second = stores.openSecondSql ? await stores.openSecondSql() : undefined;
    const a = runtimeOf(probe, stores.sql, { timerBatchSize: 7 });
    const b = runtimeOf(probe, second?.sql ?? stores.sql, { timerBatchSize: 7 });
    await a.start({ subscribe: false, poll: false });
    await b.migrate();
    const keys = Array.from({ length: 120 }, (_, index) => `timer-${index}`);
    for (const key of keys) {
      await scheduleTimer(
        stores.sql,
        stores.schema,
        { saga: 'probe', kind: 'slow', key, dueAt: clock.now(), payload: {}, maxAttempts: 3 },
        clock.now(),
      );
    }
    const drain = async (runtime: SagaRuntime) => {
      let fired = 0;
      for (;;) {
        const count = await runtime.pollOnce();
        if (count === 0) return fired;
        fired += count;
      }
    };
    const [byA, byB] = await Promise.all([drain(a), drain(b)]);
    expect(byA + byB).toBe(keys.length);
    expect([...probe.runs].sort()).toEqual([...keys].sort());
    if (stores.kind === 'postgres') expect(Math.min(byA, byB)).toBeGreaterThan(0);
    await second?.close();
  });
});
