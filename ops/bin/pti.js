#!/usr/bin/env node
// Runs the pti CLI from the TypeScript sources (no build step needed after `npm install`).
// The `pti-source` condition makes workspace packages resolve to their sources too.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// tsx resolved from here, not from the caller's working directory (`pti` may run from anywhere).
const tsx = import.meta.resolve('tsx');
const child = spawn(
  process.execPath,
  ['--conditions=pti-source', '--import', tsx, join(here, '..', 'src', 'cli.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
