import type { AppConfig, OpenedVault } from '@pti/platform';
import { createWriteSideContext, type WriteSideContext } from '@pti/write-side';
import { openPlatformRuntime, type PlatformRuntime } from '../start/platform-runtime.js';
import { openPersonalDataLedger, resolveWriteSideSecrets } from '../start/write-side-composition.js';

export interface SeedWriteSide {
  readonly ctx: WriteSideContext;
  readonly runtime: PlatformRuntime;
  close(): Promise<void>;
}

/**
 * The write side in-process for `pti seed`, built from the server's own building blocks: the
 * configured ledger (migrated), decorated by the personal-data vault opened beside it
 * (`openPersonalDataLedger`), the server's secrets (`resolveWriteSideSecrets`: customer ids and
 * manage links match the server's), and the centre registry loaded. In embedded mode this process
 * opens the data directory: stop `pti start` first.
 */
export async function openSeedWriteSide(config: AppConfig): Promise<SeedWriteSide> {
  const runtime = await openPlatformRuntime(config, { migrate: true });
  let vault: OpenedVault | undefined;
  try {
    const secrets = await resolveWriteSideSecrets(config);
    const personal = await openPersonalDataLedger(runtime);
    vault = personal.vault;
    const ctx = createWriteSideContext({ ledger: personal.ledger, secrets });
    await ctx.centres.load();
    const opened = vault;
    return {
      ctx,
      runtime,
      async close() {
        await opened.close();
        await runtime.close();
      },
    };
  } catch (error) {
    await vault?.close();
    await runtime.close();
    throw error;
  }
}
