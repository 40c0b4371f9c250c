import { ConfigError } from '@pti/platform';
import { Command } from 'commander';
import { registerGdprCommands } from './commands/gdpr-cli.js';
import { inspectCommand } from './commands/inspect-command.js';
import { migrateCommand } from './commands/migrate-command.js';
import { projectionsStatusCommand } from './commands/projections-status-command.js';
import { rebuildCommand } from './commands/rebuild-command.js';
import { replayCommand } from './commands/replay-command.js';
import { registerSagasCommands } from './commands/sagas-dead-letters-command.js';
import { startCommand } from './commands/start-command.js';

const program = new Command('pti')
  .description('PTI Calendar operations: start the platform, migrate stores')
  .showHelpAfterError();

program
  .command('start')
  .description('start the embedded all-in-one platform (PGlite, in-memory cache and bus unless configured)')
  .action(startCommand);

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

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) console.error(`configuration error:\n${err.message}`);
  else console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
}
