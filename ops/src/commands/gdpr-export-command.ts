import { writeFile } from 'node:fs/promises';
import { loadConfig } from '@pti/platform';
import { type GdprDependencies, openGdprContext } from './gdpr-context.js';

export interface GdprExportOptions {
  /** Write the JSON to this file (mode 0600: it holds personal data) instead of stdout. */
  readonly out?: string;
}

/**
 * `pti gdpr export <subject> [--out file]` (RGPD art. 15): everything held about the subject —
 * their events decrypted for them, the vault's record, the read models' rows — as JSON.
 */
export async function gdprExportCommand(
  subjectId: string,
  options: GdprExportOptions = {},
  deps: GdprDependencies = {},
  out: (line: string) => void = console.log,
): Promise<number> {
  const context = await openGdprContext(deps.config ?? loadConfig(), deps);
  try {
    const exported = await context.personalData.export(subjectId);
    const json = `${JSON.stringify(exported, null, 2)}\n`;
    if (options.out === undefined) {
      out(json.trimEnd());
    } else {
      await writeFile(options.out, json, { mode: 0o600 });
      out(
        `subject ${subjectId}: ${exported.events.length} event(s), key ${exported.key.status}, ` +
          `${Object.keys(exported.readModels).length} read model(s) → ${options.out}`,
      );
    }
    return 0;
  } finally {
    await context.close();
  }
}
