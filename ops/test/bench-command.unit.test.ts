import { describe, expect, it } from 'vitest';
import { benchCommand, listBenches } from '../src/commands/bench-command.js';

describe('pti bench', () => {
  it('lists the package benchmarks found on disk', async () => {
    const names = listBenches().map((b) => b.name);
    expect(names).toEqual(expect.arrayContaining(['booking', 'ledger', 'rebuild', 'vault']));
    const out: string[] = [];
    expect(await benchCommand(undefined, [], { list: true }, (l) => out.push(l))).toBe(0);
    expect(out.join('\n')).toMatch(/booking +write-side\/bench\/place-bookings-bench\.ts/);
  });

  it('rejects an unknown name with the list and a non-zero exit', async () => {
    const err: string[] = [];
    let ran = false;
    const code = await benchCommand(
      'nope',
      [],
      {
        run: async () => {
          ran = true;
          return 0;
        },
      },
      () => {},
      (l) => err.push(l),
    );
    expect(code).toBe(2);
    expect(ran).toBe(false);
    expect(err[0]).toContain('unknown benchmark "nope"');
    expect(err.join('\n')).toContain('ledger');
  });

  it('runs the script from its package with the pti-source condition and the arguments', async () => {
    const calls: { args: readonly string[]; cwd: string }[] = [];
    const code = await benchCommand(
      'booking',
      ['--centres', '10'],
      {
        run: async (_command, args, cwd) => {
          calls.push({ args, cwd });
          return 3;
        },
      },
      () => {},
    );
    expect(code).toBe(3);
    expect(calls[0]?.args).toEqual([
      '--conditions=pti-source',
      '--import',
      'tsx',
      'bench/place-bookings-bench.ts',
      '--centres',
      '10',
    ]);
    expect(calls[0]?.cwd).toMatch(/write-side$/);
  });
});
