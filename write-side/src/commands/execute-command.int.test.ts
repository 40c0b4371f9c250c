import { createPgliteLedger, type PgliteLedger } from '@pti/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decider } from '../domain/shared/decider.js';
import { DomainError } from '../domain/shared/domain-error.js';
import { createAggregateStateCache } from './aggregate-state-cache.js';
import { type CommandOrigin, executeCommand, loadAggregate } from './execute-command.js';

// A toy aggregate with an invariant that concurrency could break: at most `limit` seats taken.
type SeatEvent = { type: 'SeatTaken'; data: { by: string } };
type SeatState = { taken: string[] };
const seats = (limit: number): Decider<{ by: string }, SeatState, SeatEvent, void> => ({
  initialState: () => ({ taken: [] }),
  decide: (command, state) => {
    if (state.taken.includes(command.by)) return [];
    if (state.taken.length >= limit) throw new DomainError('SLOT_TAKEN');
    return [{ type: 'SeatTaken', data: { by: command.by } }];
  },
  evolve: (state, event) => ({ taken: [...state.taken, event.data.by] }),
});

const origin: CommandOrigin = {
  tenantId: 'tenant-a',
  actor: { id: 'u1', role: 'call_centre' },
  correlationId: 'corr-1',
};

describe('executeCommand', () => {
  let ledger: PgliteLedger;
  beforeAll(async () => {
    ledger = createPgliteLedger({ dataDir: 'memory://' });
    await ledger.migrate();
  });
  afterAll(() => ledger.close());

  it('appends decided events with metadata and the expected revision, and no-ops append nothing', async () => {
    const env = { ledger, now: () => new Date('2026-12-01T08:00:00Z') };
    const first = await executeCommand(env, {
      stream: 'seat-1',
      decider: seats(3),
      command: { by: 'a' },
      context: undefined,
      origin,
    });
    expect(first.revision).toBe(1n);
    const again = await executeCommand(env, {
      stream: 'seat-1',
      decider: seats(3),
      command: { by: 'a' },
      context: undefined,
      origin,
    });
    expect(again.events).toEqual([]);
    const stored = await ledger.readStream('seat-1');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.metadata).toMatchObject({
      tenantId: 'tenant-a',
      actor: { id: 'u1', role: 'call_centre' },
      correlationId: 'corr-1',
      causationId: null,
      occurredAt: '2026-12-01T08:00:00.000Z',
      schemaVersion: 1,
    });
  });

  it('keeps the invariant under 30 concurrent commands from two processes: conflicts re-decide', async () => {
    // Two environments with separate caches stand for two processes sharing one ledger.
    const envA = { ledger, now: () => new Date(), cache: createAggregateStateCache(), maxAttempts: 50 };
    const envB = { ledger, now: () => new Date(), cache: createAggregateStateCache(), maxAttempts: 50 };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        executeCommand(i % 2 ? envA : envB, {
          stream: 'seat-2',
          decider: seats(10),
          command: { by: `p${i}` },
          context: undefined,
          origin,
        }),
      ),
    );
    const ok = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(20);
    for (const r of refused) expect(r.reason).toMatchObject({ code: 'SLOT_TAKEN' });
    const { state, revision } = await loadAggregate({ ledger }, 'seat-2', seats(10));
    expect(state.taken).toHaveLength(10);
    expect(revision).toBe(10n);
  });

  it('a cached state still sees appends made by another process', async () => {
    const cache = createAggregateStateCache();
    const mine = { ledger, now: () => new Date(), cache };
    const other = { ledger, now: () => new Date() };
    await executeCommand(mine, {
      stream: 'seat-3',
      decider: seats(2),
      command: { by: 'a' },
      context: undefined,
      origin,
    });
    await executeCommand(other, {
      stream: 'seat-3',
      decider: seats(2),
      command: { by: 'b' },
      context: undefined,
      origin,
    });
    await expect(
      executeCommand(mine, {
        stream: 'seat-3',
        decider: seats(2),
        command: { by: 'c' },
        context: undefined,
        origin,
      }),
    ).rejects.toMatchObject({ code: 'SLOT_TAKEN' });
    expect(cache.get('seat-3')?.revision).toBe(2n);
  });

  it('deterministic event ids make a repeated command append nothing twice', async () => {
    const env = { ledger, now: () => new Date() };
    const ids = (i: number) => `00000000-0000-4000-8000-00000000000${i + 1}`;
    // A decider that always decides (no natural idempotency) shows the ids doing the work.
    const always: Decider<{ by: string }, SeatState, SeatEvent, void> = {
      ...seats(100),
      decide: (c) => [{ type: 'SeatTaken', data: { by: c.by } }],
    };
    await executeCommand(env, {
      stream: 'seat-4',
      decider: always,
      command: { by: 'x' },
      context: undefined,
      origin,
      eventId: ids,
    });
    const cache = createAggregateStateCache();
    const repeated = await executeCommand(
      { ...env, cache },
      { stream: 'seat-4', decider: always, command: { by: 'x' }, context: undefined, origin, eventId: ids },
    );
    expect(await ledger.readStream('seat-4')).toHaveLength(1);
    expect(repeated.revision).toBe(1n);
    expect(repeated.state.taken).toEqual(['x']);
    expect(cache.get('seat-4')?.state).toEqual({ taken: ['x'] });
  });

  it('decides on the cached state without reading, and re-reads before answering a refusal', async () => {
    type Gate = { type: 'Opened' | 'Closed'; data: object };
    const gate: Decider<'open' | 'close', { open: boolean }, Gate, void> = {
      initialState: () => ({ open: false }),
      decide: (command, state) => {
        if ((command === 'open') === state.open)
          throw new DomainError('INVALID_COMMAND', `already ${command}`);
        return [{ type: command === 'open' ? 'Opened' : 'Closed', data: {} }];
      },
      evolve: (_state, event) => ({ open: event.type === 'Opened' }),
    };
    let reads = 0;
    const counting = {
      ...ledger,
      readStream: (...args: Parameters<typeof ledger.readStream>) => {
        reads += 1;
        return ledger.readStream(...args);
      },
    };
    const mine = { ledger: counting, now: () => new Date(), cache: createAggregateStateCache() };
    const other = { ledger, now: () => new Date() };
    const run = (env: typeof mine | typeof other, command: 'open' | 'close') =>
      executeCommand(env, { stream: 'gate-1', decider: gate, command, context: undefined, origin });
    await run(mine, 'open');
    reads = 0;
    await run(mine, 'close');
    // The cached state was current: the append's expected revision proved it, no read was needed.
    expect(reads).toBe(0);
    await run(other, 'open');
    // A refusal on the cached state (closed: "close" refused) is never answered unchecked: the fresh
    // read shows the gate open, so "close" is decided again and appended.
    const closed = await run(mine, 'close');
    expect(reads).toBe(1);
    expect(closed.state).toEqual({ open: false });
    expect(closed.revision).toBe(4n);
    // A stale cache that accepts is caught by the append: the conflict re-reads and decides again.
    await run(other, 'open');
    await expect(run(mine, 'open')).rejects.toMatchObject({ code: 'INVALID_COMMAND' });
  });

  it('decides on a preloaded read without reading again; a stale one is caught by the append', async () => {
    let reads = 0;
    const counting = {
      ...ledger,
      readStream: (...args: Parameters<typeof ledger.readStream>) => {
        reads += 1;
        return ledger.readStream(...args);
      },
    };
    const env = { ledger: counting, now: () => new Date(), cache: createAggregateStateCache() };
    const take = (by: string, preloaded?: Promise<{ state: SeatState; revision: bigint }>) =>
      executeCommand(env, {
        stream: 'seat-pre',
        decider: seats(2),
        command: { by },
        context: undefined,
        origin,
        ...(preloaded ? { preloaded } : {}),
      });
    // The read started earlier (the prefetch) is the only one.
    const preloaded = loadAggregate(env, 'seat-pre', seats(2));
    expect(reads).toBe(1);
    expect((await take('a', preloaded)).revision).toBe(1n);
    expect(reads).toBe(1);
    // A read taken before another writer's append: deciding on it conflicts, the retry reads again
    // and the invariant holds (two seats: 'c' is refused).
    const stale = loadAggregate({ ledger }, 'seat-pre', seats(2));
    await executeCommand(
      { ledger, now: () => new Date() },
      {
        stream: 'seat-pre',
        decider: seats(2),
        command: { by: 'b' },
        context: undefined,
        origin,
      },
    );
    await expect(take('c', stale)).rejects.toMatchObject({ code: 'SLOT_TAKEN' });
    expect((await ledger.readStream('seat-pre')).map((e) => e.data)).toEqual([{ by: 'a' }, { by: 'b' }]);
  });
});
