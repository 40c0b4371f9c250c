import { loadConfig } from '@pti/platform';
import { openPlatformRuntime } from '../start/platform-runtime.js';

/** `pti migrate`: creates or upgrades every store's schema, then exits. */
export async function migrateCommand(out: (line: string) => void = console.log): Promise<void> {
  const config = loadConfig();
  const runtime = await openPlatformRuntime(config, { migrate: true });
  try {
    if (runtime.migrations.length === 0) out(`ledger (${runtime.ledger.kind}): no schema to migrate`);
    for (const m of runtime.migrations) {
      out(
        `${m.component} (${runtime.ledger.kind}): ${m.applied.length} applied, ${m.alreadyApplied} already applied` +
          m.applied.map((a) => `\n  + ${a.version} ${a.name}`).join(''),
      );
    }
  } finally {
    await runtime.close();
  }
}
