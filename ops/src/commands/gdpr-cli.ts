import type { Command } from 'commander';
import { gdprEraseCommand } from './gdpr-erase-command.js';
import { gdprExportCommand } from './gdpr-export-command.js';
import { gdprRetentionCommand } from './gdpr-retention-command.js';
import { gdprRotateCommand } from './gdpr-rotate-command.js';

const EMBEDDED_NOTE = 'In embedded mode run it while `pti start` is stopped (the data directory opens once).';

/** Registers `pti gdpr erase | export | retention | rotate-master-key`. */
export function registerGdprCommands(program: Command): void {
  const gdpr = program
    .command('gdpr')
    .description('personal data (RGPD): erasure, access export, retention, master key rotation');

  gdpr
    .command('erase')
    .description(
      `destroy a data subject's key (crypto-shredding), record it, scrub read models. ${EMBEDDED_NOTE}`,
    )
    .argument('<subject>', 'data subject id (customer or inspector id)')
    .option('--reason <reason>', 'subject_request or retention_expired', 'subject_request')
    .option('--actor <id>', 'who ordered the erasure (default cli:<os user>)')
    .option('--tenant <id>', 'tenant of the erasure event', 'network')
    .action(async (subject: string, options: { reason?: string; actor?: string; tenant?: string }) => {
      process.exitCode = await gdprEraseCommand(subject, options);
    });

  gdpr
    .command('export')
    .description(`everything held about a data subject, decrypted, as JSON. ${EMBEDDED_NOTE}`)
    .argument('<subject>', 'data subject id')
    .option('--out <file>', 'write to this file (mode 0600) instead of stdout')
    .action(async (subject: string, options: { out?: string }) => {
      process.exitCode = await gdprExportCommand(subject, options);
    });

  gdpr
    .command('retention')
    .description(
      `shred the keys of subjects past retention (bookings 7 years, payments 10) and prune read models. ${EMBEDDED_NOTE}`,
    )
    .option('--dry-run', 'list the subjects past retention; change nothing')
    .option('--now <instant>', 'evaluate at this ISO 8601 instant instead of now')
    .option('--tenant <id>', 'tenant of the erasure events', 'network')
    .action(async (options: { dryRun?: boolean; now?: string; tenant?: string }) => {
      process.exitCode = await gdprRetentionCommand(options);
    });

  gdpr
    .command('rotate-master-key')
    .description('re-wrap every data key under the configured master key (PII_MASTER_KEY); events untouched')
    .requiredOption(
      '--previous-key-file <file...>',
      'file(s) holding the earlier master key(s), base64 as PII_MASTER_KEY',
    )
    .action(async (options: { previousKeyFile: string[] }) => {
      process.exitCode = await gdprRotateCommand(options);
    });
}
