/** Small helpers shared by the platform benchmarks: timing, percentiles, progress lines. */

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export class LatencyRecorder {
  private samples = new Float64Array(1 << 16);
  private count = 0;
  record(ms: number): void {
    if (this.count === this.samples.length) {
      const bigger = new Float64Array(this.samples.length * 2);
      bigger.set(this.samples);
      this.samples = bigger;
    }
    this.samples[this.count++] = ms;
  }
  get size(): number {
    return this.count;
  }
  summary(): { p50: number; p95: number; p99: number; max: number } {
    const s = this.samples.slice(0, this.count).sort();
    return {
      p50: percentile(s, 50),
      p95: percentile(s, 95),
      p99: percentile(s, 99),
      max: s[s.length - 1] ?? Number.NaN,
    };
  }
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
