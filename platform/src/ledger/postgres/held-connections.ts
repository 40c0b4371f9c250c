import pg from 'pg';

/**
 * Prepared statements sent on connections held out of the pool while they are in use, so a
 * statement leaves in the caller's own turn.
 *
 * Why: `pool.query` checks a connection out through `process.nextTick`, and a tick queued from a
 * promise job runs only once every queued promise job has run. When a group commit returns, the
 * writers it answers go on (build, encode and queue their next events) in promise jobs, so the
 * next batch, already waiting, left only after all of that: the client's CPU per event sat in
 * series with PostgreSQL's (the vault bench: throughput fell with every µs the codec added per
 * event). `Client.query` on an idle connection writes to the socket at once.
 *
 * At most `size` connections are held (one per statement running at once: the batchers' turns),
 * and never more than a quarter of the pool's `max` (a pool of fewer than 4 holds none). A
 * statement finding none free goes through the pool as before, and asks for one more to be held
 * for the next. A held connection goes back to the pool when it has been unused for `idleMs`, or
 * when it is idle while someone waits for a connection of the pool; one that fails (socket error,
 * a FATAL answer, anything but PostgreSQL's answer to the statement) is handed back with its error,
 * and the pool discards it.
 */
export interface HeldConnections {
  query<R>(name: string, text: string, params: readonly unknown[]): Promise<R[]>;
  /** Connections held now (for tests). */
  held(): number;
  /** Hands every held connection back to the pool (those running a statement when it finishes). */
  release(): void;
}

interface Held {
  readonly client: pg.PoolClient;
  readonly onError: (error: Error) => void;
  busy: boolean;
  broken: boolean;
  lastUsed: number;
}

export function createHeldConnections(
  pool: pg.Pool,
  options: { readonly size: number; readonly idleMs?: number },
): HeldConnections {
  const idleMs = options.idleMs ?? 5_000;
  const size = Math.min(options.size, Math.floor((pool.options?.max ?? 10) / 4));
  const held: Held[] = [];
  let acquiring = 0;
  let released = false;
  let sweeper: NodeJS.Timeout | undefined;

  function handBack(entry: Held, error?: Error): void {
    const at = held.indexOf(entry);
    if (at < 0) return;
    held.splice(at, 1);
    entry.client.removeListener('error', entry.onError);
    entry.client.release(error);
    if (held.length === 0 && sweeper) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  }

  function sweep(): void {
    const now = Date.now();
    const wanted = pool.waitingCount > 0;
    for (const entry of [...held])
      if (!entry.busy && (wanted || now - entry.lastUsed >= idleMs)) handBack(entry);
  }

  function holdOneMore(): void {
    if (released || held.length + acquiring >= size) return;
    acquiring++;
    pool.connect().then(
      (client) => {
        acquiring--;
        if (released) {
          client.release();
          return;
        }
        const entry: Held = {
          client,
          busy: false,
          broken: false,
          lastUsed: Date.now(),
          onError: (error) => {
            entry.broken = true;
            if (!entry.busy) handBack(entry, error);
          },
        };
        // While held, a dropped connection is reported here (the pool listens only to idle ones).
        client.on('error', entry.onError);
        held.push(entry);
        if (!sweeper) {
          sweeper = setInterval(sweep, Math.min(250, Math.max(50, Math.floor(idleMs / 2))));
          sweeper.unref();
        }
      },
      () => {
        // The pool could not connect: statements keep going through it, which reports the error.
        acquiring--;
      },
    );
  }

  return {
    async query<R>(name: string, text: string, params: readonly unknown[]): Promise<R[]> {
      const entry = held.find((candidate) => !candidate.busy && !candidate.broken);
      if (entry === undefined) {
        holdOneMore();
        const result = await pool.query({ name, text, values: params as unknown[] });
        return result.rows as R[];
      }
      entry.busy = true;
      let failure: Error | undefined;
      try {
        const result = await entry.client.query({ name, text, values: params as unknown[] });
        return result.rows as R[];
      } catch (error) {
        // PostgreSQL's own answer (a constraint, a deadlock) leaves the connection usable; a
        // FATAL one (the backend terminated) or anything else does not.
        if (
          !(error instanceof pg.DatabaseError) ||
          error.severity === 'FATAL' ||
          error.severity === 'PANIC'
        ) {
          entry.broken = true;
          failure = error instanceof Error ? error : new Error(String(error));
        }
        throw error;
      } finally {
        entry.busy = false;
        entry.lastUsed = Date.now();
        if (entry.broken) handBack(entry, failure ?? new Error('held connection failed'));
        else if (released || pool.waitingCount > 0) handBack(entry);
      }
    },
    held: () => held.length,
    release(): void {
      released = true;
      for (const entry of [...held]) if (!entry.busy) handBack(entry);
    },
  };
}
