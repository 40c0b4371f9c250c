import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('the generated API client', () => {
  it('matches the current OpenAPI documents of the command and read APIs', () => {
    // The generator runs in its own process: it imports the servers, which the client package must not.
    const run = spawnSync(
      process.execPath,
      ['--conditions=pti-source', '--import', 'tsx', 'scripts/generate.ts', '--check'],
      { cwd: packageDir, encoding: 'utf8', timeout: 120_000 },
    );
    expect(run.stderr + run.stdout).not.toContain('STALE');
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('up to date  src/generated/command-api.ts');
    expect(run.stdout).toContain('up to date  src/generated/read-api.ts');
  }, 120_000);
});
