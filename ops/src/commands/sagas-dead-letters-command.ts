import {
  type AppConfig,
  createPgPool,
  loadConfig,
  pgExecutor,
  pgliteExecutor,
  type TransactionalSqlExecutor,
} from '@pti/platform';
import {
  DEFAULT_SAGAS_SCHEMA,
  type DeadLetter,
  discardDeadLetter,
  listDeadLetters,
  migrateRuntime,
  retryDeadLetter,
  sagasSchemaFor,
} from '@pti/sagas';
import type { Command } from 'commander';
import { openPlatformRuntime } from '../start/platform-runtime.js';

/**
 * `pti sagas dead-letters list | retry | discard`: the saga jobs that exhausted their retries
 * (an AdelSoft outage, a provider that refused, a command the domain refused). `retry` puts a
 * dead letter back as a job due now with its attempts reset; `discard` deletes it for good.
 *
 * In embedded mode the data directory opens once per process: run it while `pti start` is stopped.
 */
export interface DeadLettersOptions {
  readonly saga?: string;
  readonly limit?: string;
  readonly json?: boolean;
  readonly all?: boolean;
}

export interface DeadLettersDependencies {
  /** Default: `loadConfig()` from the environment. */
  readonly config?: AppConfig;
  /** The instant a retried job falls due (default now). */
  readonly now?: () => Date;
}

export type DeadLettersAction = 'list' | 'retry' | 'discard';

interface SagaStore {
  readonly sql: TransactionalSqlExecutor;
  readonly schema: string;
  close(): Promise<void>;
}

async function openSagaStore(config: AppConfig): Promise<SagaStore> {
  const schema =
    config.ledger.kind === 'eventstoredb' ? DEFAULT_SAGAS_SCHEMA : sagasSchemaFor(config.ledger.schema);
  if (config.database.kind === 'postgres') {
    const pool = createPgPool({ url: config.database.url, max: 2, applicationName: 'pti-sagas-cli' });
    return { sql: pgExecutor(pool), schema, close: () => pool.end() };
  }
  const runtime = await openPlatformRuntime(config, { migrate: false });
  if (runtime.pglite === undefined) {
    await runtime.close();
    throw new Error('no database for the sagas');
  }
  return { sql: pgliteExecutor(runtime.pglite), schema, close: () => runtime.close() };
}

function describeLetter(letter: DeadLetter): string {
  const payload = JSON.stringify(letter.payload);
  return [
    `${letter.id}  ${letter.saga}/${letter.kind}  ${letter.key}`,
    `    failed ${letter.failedAt.toISOString()} after ${letter.attempts} attempt(s), first scheduled ${letter.firstScheduledAt.toISOString()}`,
    `    error: ${letter.lastError}`,
    `    payload: ${payload.length > 300 ? `${payload.slice(0, 300)}…` : payload}`,
  ].join('\n');
}

export async function sagasDeadLettersCommand(
  action: DeadLettersAction,
  ids: readonly string[],
  options: DeadLettersOptions,
  out: (line: string) => void = console.log,
  deps: DeadLettersDependencies = {},
): Promise<number> {
  const limit = options.limit === undefined ? 100 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    out(`--limit must be a positive integer, got ${options.limit}`);
    return 2;
  }
  if (action !== 'list' && ids.length === 0 && options.all !== true) {
    out(`pti sagas dead-letters ${action}: name dead letter ids, or --all`);
    return 2;
  }
  const store = await openSagaStore(deps.config ?? loadConfig());
  try {
    // A platform whose sagas never ran has no tables yet: create them, so the answer is "none".
    await migrateRuntime(store.sql, store.schema);
    const query = { ...(options.saga === undefined ? {} : { saga: options.saga }), limit };
    if (action === 'list') {
      const letters = await listDeadLetters(store.sql, store.schema, query);
      if (options.json === true) {
        out(JSON.stringify(letters, null, 2));
      } else if (letters.length === 0) {
        out('no dead letters');
      } else {
        out(`${letters.length} dead letter(s)${letters.length === limit ? ` (first ${limit})` : ''}`);
        for (const letter of letters) out(describeLetter(letter));
      }
      return 0;
    }
    const targets =
      options.all === true
        ? (await listDeadLetters(store.sql, store.schema, query)).map((letter) => letter.id)
        : ids;
    const now = deps.now ?? (() => new Date());
    let missing = 0;
    for (const id of targets) {
      const letter =
        action === 'retry'
          ? await retryDeadLetter(store.sql, store.schema, id, now())
          : await discardDeadLetter(store.sql, store.schema, id);
      if (letter === undefined) {
        missing += 1;
        out(`${id}: no such dead letter`);
      } else {
        out(
          action === 'retry'
            ? `${id}: ${letter.saga}/${letter.kind} ${letter.key} scheduled again, due now`
            : `${id}: ${letter.saga}/${letter.kind} ${letter.key} discarded`,
        );
      }
    }
    if (targets.length === 0) out('no dead letters');
    return missing > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}

const EMBEDDED_NOTE = 'In embedded mode run it while `pti start` is stopped (the data directory opens once).';

/** Registers `pti sagas dead-letters list | retry | discard`. */
export function registerSagasCommands(program: Command): void {
  const sagas = program.command('sagas').description('process managers: timers and jobs that need ops');
  const deadLetters = sagas
    .command('dead-letters')
    .description(`saga jobs that exhausted their retries. ${EMBEDDED_NOTE}`);

  deadLetters
    .command('list')
    .description('list dead letters, oldest first')
    .option('--saga <name>', 'only this saga (holds, payment, adelsoft, notifications, waitlist)')
    .option('--limit <n>', 'at most n', '100')
    .option('--json', 'machine-readable output')
    .action(async (options: DeadLettersOptions) => {
      process.exitCode = await sagasDeadLettersCommand('list', [], options);
    });

  deadLetters
    .command('retry')
    .description('schedule dead letters again, due now, attempts reset')
    .argument('[ids...]', 'dead letter ids')
    .option('--all', 'every dead letter (of --saga when given)')
    .option('--saga <name>', 'with --all: only this saga')
    .action(async (ids: string[], options: DeadLettersOptions) => {
      process.exitCode = await sagasDeadLettersCommand('retry', ids, options);
    });

  deadLetters
    .command('discard')
    .description('delete dead letters for good')
    .argument('[ids...]', 'dead letter ids')
    .option('--all', 'every dead letter (of --saga when given)')
    .option('--saga <name>', 'with --all: only this saga')
    .action(async (ids: string[], options: DeadLettersOptions) => {
      process.exitCode = await sagasDeadLettersCommand('discard', ids, options);
    });
}
