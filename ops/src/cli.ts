import { ConfigError } from '@pti/platform';
import { Command } from 'commander';
import { benchCommand } from './commands/bench-command.js';
import { registerGdprCommands } from './commands/gdpr-cli.js';
import { inspectCommand } from './commands/inspect-command.js';
import { migrateCommand } from './commands/migrate-command.js';
import { projectionsStatusCommand } from './commands/projections-status-command.js';
import { rebuildCommand } from './commands/rebuild-command.js';
import { replayCommand } from './commands/replay-command.js';
import { registerSagasCommands } from './commands/sagas-dead-letters-command.js';
import { seedCommand } from './commands/seed-command.js';
import { startCommand } from './commands/start-command.js';

const program = new Command('pti')
  .description('PTI Calendar operations: start the platform, migrate stores')
  .showHelpAfterError();

program
  .command('start')
  .description(
    'start the platform: all (default, embedded all-in-one: PGlite, in-memory cache and bus unless configured) or one role',
  )
  .argument('[role]', 'all | write-side | read-api | projections | sagas', 'all')
  .action((role: string) => startCommand(role));

program
  .command('migrate')
  .description('create or upgrade the ledger schema, then exit')
  .action(() => migrateCommand());

program
  .command('inspect')
  .description("print a stream's events, oldest first (e.g. pti inspect booking-<id>)")
  .argument('<stream>', 'stream name, <category>-<id>')
  .option('--json', 'machine-readable output')
  .option('--from <revision>', 'first revision (1-based)')
  .option('--limit <n>', 'at most n events')
  .action(async (stream: string, options: { json?: boolean; from?: string; limit?: string }) => {
    process.exitCode = await inspectCommand(stream, options);
  });

registerGdprCommands(program);
registerSagasCommands(program);

program
  .command('rebuild')
  .description('blue/green rebuild of a read model (or all); --drop-old drops retired generations')
  .argument('[read-model]', 'availability, centres, audit, … or all')
  .option('--drop-old', 'drop the generations the swap retired (tables and Redis keys)')
  .option('--batch-size <n>', 'events per catch-up transaction (default 20000)')
  .action(async (readModel: string | undefined, options: { dropOld?: boolean; batchSize?: string }) => {
    process.exitCode = await rebuildCommand(readModel, options);
  });

program
  .command('projections')
  .description('projection runtime')
  .command('status')
  .description('per read model: live generation, checkpoint, lag (events, seconds), state')
  .option('--json', 'machine-readable output')
  .action(async (options: { json?: boolean }) => {
    process.exitCode = await projectionsStatusCommand(options);
  });

program
  .command('replay')
  .description('the state of a booking, calendar day or centre as it was at an instant')
  .argument('<stream>', 'stream name: booking-<id>, calendar-<centreId>-<date> or centre-<id>')
  .option('--until <instant>', 'ISO-8601 instant (default: now)')
  .action(async (stream: string, options: { until?: string }) => {
    process.exitCode = await replayCommand(stream, options);
  });

program
  .command('bench')
  .description(
    'run a package benchmark (<package>/bench/<name>-bench.ts) with the pti-source condition; --list shows them',
  )
  .argument('[name]', 'ledger, vault, booking, rebuild, … (see --list)')
  .argument('[args...]', 'passed to the benchmark, after --')
  .option('--list', 'list the benchmarks and exit')
  .addHelpText(
    'after',
    '\nExample: DATABASE_URL=postgres://… pti bench booking -- --centres 200 --seconds 10',
  )
  .action(async (name: string | undefined, args: string[], options: { list?: boolean }) => {
    process.exitCode = await benchCommand(name, args, options);
  });

program
  .command('seed')
  .description(
    'create a demo network in real French towns (tenants, centres, inspectors, hours, prices) and book it through the write side: placements, cancellations, results, no-shows, contre-visites',
  )
  .option('--centres <n>', 'centres (default 50)')
  .option('--days <d>', 'days of appointments, half before today (default 14)')
  .option('--tenants <t>', 'networks the centres belong to (default 4)')
  .option('--seed <s>', 'random seed: the same seed gives the same network and ids (default 1)')
  .option('--bookings-per-day <x>', 'mean bookings of an average centre on a full weekday (default 12)')
  .option('--past-days <p>', 'of the days, how many lie before today (default half)')
  .option('--concurrency <c>', 'concurrent lanes of commands (default 8 on PostgreSQL, 2 on PGlite)')
  .option('--progress', 'draw the progress bars even when stderr is not a terminal')
  .addHelpText(
    'after',
    '\nRe-running with the same --seed writes nothing when its network exists (skipped, exit 0) and refuses a partial one (exit 1).\nEmbedded mode opens the data directory: stop `pti start` first.\n',
  )
  .action(async (options: Record<string, string | undefined> & { progress?: boolean }) => {
    process.exitCode = await seedCommand(options);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) console.error(`configuration error:\n${err.message}`);
  else console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
}
