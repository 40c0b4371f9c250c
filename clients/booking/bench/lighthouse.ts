/**
 * Lighthouse on the booking PWA's landing page, mobile profile (Lighthouse's default simulated
 * throttling: slow 4G, 4× CPU slowdown), in Debian's Chromium. Budget: performance ≥ 90.
 *
 *   npm start &                      # or any running platform
 *   npm run bench:lighthouse -w @pti/booking -- [url] [--runs 3]
 *
 * Prints each run's category scores and main timings, then the median performance score. The
 * scores are Lighthouse's own; a loaded machine lowers them (simulated throttling is applied on top
 * of the real run), so note the load average printed beside them.
 */
import { loadavg } from 'node:os';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
const url =
  args.find((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--runs') ?? 'http://localhost:3000/';
const chromePath = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const BUDGET = 90;

const chrome = await chromeLauncher.launch({
  chromePath,
  chromeFlags: [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const performance: number[] = [];
try {
  console.log(`lighthouse ${url}, mobile profile, ${runs} run(s), load average ${loadavg()[0]?.toFixed(2)}`);
  for (let run = 1; run <= runs; run++) {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices'],
      formFactor: 'mobile',
    });
    if (result === undefined) throw new Error('lighthouse returned no result');
    const { categories, audits } = result.lhr;
    const score = (name: string) => Math.round((categories[name]?.score ?? 0) * 100);
    performance.push(score('performance'));
    const timing = (id: string) => audits[id]?.displayValue ?? '?';
    console.log(
      `run ${run}: performance ${score('performance')}, accessibility ${score('accessibility')}, best practices ${score('best-practices')} | FCP ${timing('first-contentful-paint')}, LCP ${timing('largest-contentful-paint')}, TBT ${timing('total-blocking-time')}, CLS ${timing('cumulative-layout-shift')}`,
    );
  }
} finally {
  await chrome.kill();
}
const sorted = [...performance].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
console.log(
  `median performance ${median} (budget ≥ ${BUDGET}: ${median >= BUDGET ? 'met' : 'NOT met'}), load average ${loadavg()[0]?.toFixed(2)}`,
);
