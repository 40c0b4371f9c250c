import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { staleWhileRevalidate } from '../src/start/read-ports-composition.js';

describe('staleWhileRevalidate', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers the stored value while one reload runs, then the reloaded one', async () => {
    let loads = 0;
    let release: (value: number) => void = () => undefined;
    const rows = staleWhileRevalidate(async () => {
      loads++;
      if (loads === 1) return 1;
      return new Promise<number>((resolve) => {
        release = resolve;
      });
    }, 1_000);
    expect(await rows()).toBe(1);
    vi.setSystemTime(500);
    expect(await rows()).toBe(1);
    expect(loads).toBe(1);
    vi.setSystemTime(1_500);
    // Stale: answered at once, one reload started for all callers.
    expect(await rows()).toBe(1);
    expect(await rows()).toBe(1);
    expect(loads).toBe(2);
    release(2);
    await Promise.resolve();
    await Promise.resolve();
    expect(await rows()).toBe(2);
  });

  it('keeps the stored value when a reload fails, and makes callers wait once it is too old', async () => {
    let fail = false;
    let loads = 0;
    const rows = staleWhileRevalidate(async () => {
      loads++;
      if (fail) throw new Error('database down');
      return loads;
    }, 1_000);
    expect(await rows()).toBe(1);
    fail = true;
    vi.setSystemTime(2_000);
    expect(await rows()).toBe(1);
    vi.setSystemTime(6_000);
    await expect(rows()).rejects.toThrow('database down');
    fail = false;
    expect(await rows()).toBe(4);
  });
});
