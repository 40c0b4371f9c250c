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

export interface TransactionalSqlExecutor extends SqlExecutor {
  /**
   * Runs `fn` in one transaction on one connection: commits when it resolves, rolls back when it
   * throws. On PGlite (a single connection) other work waits until the transaction ends, so `fn`
   * must use `tx`, never the outer executor, or it waits on itself.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}
