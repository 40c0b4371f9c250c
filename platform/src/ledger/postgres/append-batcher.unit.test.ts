import { describe, expect, it } from 'vitest';
import { createStatementBatcher } from './append-batcher.js';

/** The statement batcher alone, with fake statements: what waits, what goes together, what goes past a stall. */
describe('statement batcher', () => {
  const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  function recording(durationOf: (items: readonly string[]) => number, stallMs?: number) {
    const sent: string[][] = [];
    const batcher = createStatementBatcher<string, string>({
      maxInFlight: 1,
      maxBatch: 10,
      ...(stallMs === undefined ? {} : { stallMs }),
      async alone(item) {
        sent.push([item]);
        await delay(durationOf([item]));
        return `${item}!`;
      },
      async together(batch) {
        sent.push([...batch]);
        await delay(durationOf(batch));
        return batch.map((item) => `${item}!`);
      },
    });
    return { sent, batcher };
  }

  it('sends what arrives while a statement runs as one statement, each item with its own answer', async () => {
    const { sent, batcher } = recording(() => 10);
    const answers = await Promise.all(['a', 'b', 'c', 'd'].map((item) => batcher.run(item)));
    expect(answers).toEqual(['a!', 'b!', 'c!', 'd!']);
    expect(sent).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('a statement running past stallMs lets the waiting ones go without it', async () => {
    const { sent, batcher } = recording((items) => (items.includes('slow') ? 600 : 5), 20);
    const slow = batcher.run('slow');
    const started = performance.now();
    const fast = await Promise.all([batcher.run('x'), batcher.run('y')]);
    const waited = performance.now() - started;
    expect(fast).toEqual(['x!', 'y!']);
    // Released after the stall (20 ms), long before the slow statement ends (600 ms).
    expect(waited).toBeGreaterThanOrEqual(15);
    expect(waited).toBeLessThan(450);
    expect(sent.slice(0, 2)).toEqual([['slow'], ['x', 'y']]);
    expect(await slow).toBe('slow!');
  });
});
