import { readFile } from 'node:fs/promises';
import { loadConfig, MasterKeyError, masterKeyFromBase64 } from '@pti/platform';
import { type GdprDependencies, openGdprContext } from './gdpr-context.js';

export interface GdprRotateOptions {
  /** Files each holding one earlier master key (base64, as `PII_MASTER_KEY` takes it). */
  readonly previousKeyFile: readonly string[];
}

/**
 * `pti gdpr rotate-master-key --previous-key-file <old.key>`: re-wraps every data key under the
 * configured master key (`PII_MASTER_KEY`, else the embedded `<dataDir>/pii-master.key`). Events
 * are not touched. Procedure: set `PII_MASTER_KEY` to the new key (embedded mode: the old key is
 * the `pii-master.key` file), run this with the old key's file, then destroy the old key — backups
 * made before the rotation hold data keys wrapped by it. Exit code 1 when some data keys are
 * wrapped by a master key that was not given.
 */
export async function gdprRotateCommand(
  options: GdprRotateOptions,
  deps: GdprDependencies = {},
  out: (line: string) => void = console.log,
): Promise<number> {
  const previousMasterKeys = await Promise.all(
    options.previousKeyFile.map(async (path) => {
      const text = (await readFile(path, 'utf8')).trim();
      try {
        masterKeyFromBase64(text);
      } catch (error) {
        if (error instanceof MasterKeyError) throw new MasterKeyError(`${path}: ${error.message}`);
        throw error;
      }
      return text;
    }),
  );
  const context = await openGdprContext(deps.config ?? loadConfig(), { ...deps, previousMasterKeys });
  try {
    const { id, source } = context.vault.masterKey;
    out(`re-wrapping data keys under master key ${id} (${source})`);
    const report = await context.vault.vault.rotateMasterKey({
      onProgress: (n) => out(`  ${n} data key(s) re-wrapped`),
    });
    out(`${report.rewrapped} data key(s) re-wrapped; events untouched`);
    if (report.unknownMasterKey.length === 0) return 0;
    out(
      `data keys wrapped by master key(s) not given, left as they are: ${report.unknownMasterKey.join(', ')}`,
    );
    return 1;
  } finally {
    await context.close();
  }
}
