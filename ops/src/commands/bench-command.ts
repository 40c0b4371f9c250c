import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `pti bench <name> [-- args]`: runs a package's benchmark (`<package>/bench/<name>-bench.ts`) the
 * way its `npm run bench` does: node with the `pti-source` condition and tsx, from the package's
 * folder, with this process's environment (DATABASE_URL, REDIS_URL, …) and the extra arguments.
 * Benchmarks are found on disk, so one added later is listed without touching this file; a few
 * files get a shorter name (`place-bookings-bench.ts` is `booking`).
 */
export interface Bench {
  readonly name: string;
  /** Workspace folder, relative to the repository root. */
  readonly workspace: string;
  /** Script path relative to the workspace. */
  readonly script: string;
  /** First sentence of the script's doc comment. */
  readonly description: string;
}

const WORKSPACES = ['platform', 'write-side', 'projections', 'read-api', 'sagas', 'ops'] as const;
const SHORT_NAMES: Readonly<Record<string, string>> = { 'place-bookings': 'booking' };

export const REPOSITORY_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function describe(file: string): string {
  const text = readFileSync(file, 'utf8');
  const comment = /\/\*\*([\s\S]*?)\*\//.exec(text)?.[1] ?? '';
  const firstLine = comment
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, '').trim())
    .find((line) => line !== '');
  return firstLine ?? '';
}

/** The benchmarks present under `<workspace>/bench/`, sorted by name. */
export function listBenches(root: string = REPOSITORY_ROOT): Bench[] {
  const benches: Bench[] = [];
  for (const workspace of WORKSPACES) {
    const folder = join(root, workspace, 'bench');
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder)) {
      const match = /^(.+)-bench\.ts$/.exec(file);
      if (match?.[1] === undefined) continue;
      const name = SHORT_NAMES[match[1]] ?? match[1];
      benches.push({
        name,
        workspace,
        script: join('bench', file),
        description: describe(join(folder, file)),
      });
    }
  }
  return benches.sort((a, b) => a.name.localeCompare(b.name));
}

export function formatBenchList(benches: readonly Bench[]): string[] {
  const width = Math.max(0, ...benches.map((b) => b.name.length));
  return benches.map((b) => `  ${b.name.padEnd(width)}  ${b.workspace}/${b.script}  ${b.description}`);
}

export interface BenchCommandOptions {
  readonly list?: boolean;
  readonly root?: string;
  /** Replaces the spawn (tests): receives the command line and cwd, returns the exit code. */
  readonly run?: (command: string, args: readonly string[], cwd: string) => Promise<number>;
}

function spawnInherit(command: string, args: readonly string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: 'inherit', env: process.env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

/** Exit codes: the benchmark's own; 2 for an unknown or missing name (the list is printed). */
export async function benchCommand(
  name: string | undefined,
  args: readonly string[],
  options: BenchCommandOptions = {},
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  const root = options.root ?? REPOSITORY_ROOT;
  const benches = listBenches(root);
  if (options.list === true || name === undefined) {
    (name === undefined && options.list !== true ? err : out)('benchmarks (pti bench <name> [-- args]):');
    for (const line of formatBenchList(benches))
      (name === undefined && options.list !== true ? err : out)(line);
    return options.list === true ? 0 : 2;
  }
  const bench = benches.find((b) => b.name === name);
  if (bench === undefined) {
    err(`unknown benchmark "${name}"; available:`);
    for (const line of formatBenchList(benches)) err(line);
    return 2;
  }
  const cwd = join(root, bench.workspace);
  const command = process.execPath;
  const argv = ['--conditions=pti-source', '--import', 'tsx', bench.script, ...args];
  out(`running ${relative(root, join(cwd, bench.script))} ${args.join(' ')}`.trimEnd());
  return (options.run ?? spawnInherit)(command, argv, cwd);
}
