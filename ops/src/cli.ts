import { ConfigError } from '@pti/platform';
import { Command } from 'commander';
import { migrateCommand } from './commands/migrate-command.js';
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

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) console.error(`configuration error:\n${err.message}`);
  else console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
}
