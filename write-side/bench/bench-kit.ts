/**
 * Small helpers of the write side's benchmarks (copied from platform/bench/bench-kit.ts: benchmarks
 * do not import each other's folders): percentiles, a latency recorder, progress lines, CPU use.
 */
import { readFileSync } from 'node:fs';

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** Latencies in ms, growing as needed. */
export function latencyRecorder() {
  let samples = new Float64Array(1 << 16);
  let count = 0;
  return {
    record(ms: number): void {
      if (count === samples.length) {
        const bigger = new Float64Array(samples.length * 2);
        bigger.set(samples);
        samples = bigger;
      }
      samples[count++] = ms;
    },
    get size(): number {
      return count;
    },
    summary(): { p50: number; p95: number; p99: number; max: number } {
      const sorted = samples.slice(0, count).sort();
      return {
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        max: sorted[sorted.length - 1] ?? Number.NaN,
      };
    },
  };
}

export const now = (): number => performance.now();

/** Prints a progress line to stderr once a second while `work` runs. */
export async function withProgress<T>(
  label: string,
  progress: () => string,
  work: () => Promise<T>,
): Promise<T> {
  const started = now();
  const timer = setInterval(() => {
    process.stderr.write(`  ${label} ${((now() - started) / 1000).toFixed(0)}s ${progress()}\n`);
  }, 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';

/** Busy and total CPU time of the whole machine (all cores), from /proc/stat; null off Linux. */
export function machineCpu(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.reduce((sum, value) => sum + value, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** CPU ticks (USER_HZ) a process has used so far; 0 when it is gone or off Linux. */
export function ticksOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}
