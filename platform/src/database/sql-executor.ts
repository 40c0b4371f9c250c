/**
 * A raw SQL port for code that speaks SQL directly (the ledger adapters, migrations), implemented
 * over a `pg.Pool` and over PGlite with the same type mapping (see `pg.ts` and `pglite.ts`).
 *
 * Parameters are `$1, $2, …`. For a portable jsonb parameter pass `JSON.stringify(value)`: pg turns
 * a JS array into a PostgreSQL array literal, PGlite into JSON.
 */
export interface SqlResult<R> {
  readonly rows: R[];
  /** Rows returned or affected, as the command tag reports them; 0 for DDL. */
  readonly rowCount: number;
}

export interface SqlExecutor {
  /** One statement, with parameters. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
  /** A script of one or more statements, without parameters (DDL, migrations). */
  exec(script: string): Promise<void>;
}

/**
 * Statements without parameters that travel with the transaction's BEGIN and COMMIT, in the same
 * round trip. A short transaction that opens by locking a row and closes by updating it (a
 * projection batch and its checkpoint) then costs two round trips fewer; on a busy machine each
 * round trip waits for a CPU twice (server and client). Build literals with {@link sqlLiteral}.
 */
export interface TransactionEnds<T> {
  /** Run right after BEGIN; the rows of its last statement are `fn`'s second argument. */
  readonly first?: string;
  /**
   * Given `fn`'s result, run right before COMMIT (`undefined`: nothing). If it fails, nothing
   * commits and the transaction rejects with its error.
   */
  readonly last?: (result: T) => string | undefined;
}

export type Row = Record<string, unknown>;

export interface TransactionalSqlExecutor extends SqlExecutor {
  /**
   * Runs `fn` in one transaction on one connection: commits when it resolves, rolls back when it
   * throws. On PGlite (a single connection) other work waits until the transaction ends, so `fn`
   * must use `tx`, never the outer executor, or it waits on itself. `ends` adds statements to the
   * BEGIN and COMMIT round trips; `first` holds the rows of `ends.first` (empty without it).
   */
  transaction<T>(
    fn: (tx: SqlExecutor, first: readonly Row[]) => Promise<T>,
    ends?: TransactionEnds<T>,
  ): Promise<T>;
}

/**
 * A string as a SQL literal, for statements sent without parameters (`TransactionEnds`). The
 * escape-string form reads the same whatever `standard_conforming_strings` says.
 */
export function sqlLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('a SQL literal cannot hold a NUL character');
  return `E'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}
