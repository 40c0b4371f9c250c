/**
 * The landing page's initial JavaScript, gzip: the module scripts and module preloads that
 * `dist/index.html` loads before anything else (lazy pages and the service worker are not counted).
 * Budget: < 200 kB (specification), aim < 120 kB.
 *
 *   npm run build -w @pti/booking && npm run bench -w @pti/booking
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
const indexHtml = path.join(dist, 'index.html');
if (!existsSync(indexHtml)) {
  console.error('dist/index.html is missing: run `npm run build -w @pti/booking` first');
  process.exit(1);
}
const html = readFileSync(indexHtml, 'utf8');
const initial = new Set<string>();
for (const match of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g))
  initial.add(match[1] ?? '');
for (const match of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g))
  initial.add(match[1] ?? '');

const BUDGET_KB = 200;
const AIM_KB = 120;
let rawTotal = 0;
let gzipTotal = 0;
console.log('landing page initial JavaScript (gzip -9):');
for (const src of [...initial].filter(Boolean)) {
  const content = readFileSync(path.join(dist, src.replace(/^\//, '')));
  const gzipped = gzipSync(content, { level: 9 }).length;
  rawTotal += content.length;
  gzipTotal += gzipped;
  console.log(
    `  ${src.padEnd(40)} ${(content.length / 1024).toFixed(1).padStart(7)} kB raw ${(gzipped / 1024).toFixed(1).padStart(7)} kB gzip`,
  );
}
const kb = gzipTotal / 1024;
console.log(
  `  ${'total'.padEnd(40)} ${(rawTotal / 1024).toFixed(1).padStart(7)} kB raw ${kb.toFixed(1).padStart(7)} kB gzip`,
);
console.log(
  `budget < ${BUDGET_KB} kB: ${kb < BUDGET_KB ? 'met' : 'EXCEEDED'}; aim < ${AIM_KB} kB: ${kb < AIM_KB ? 'met' : 'not met'}`,
);
// Not counted above: the results map (Leaflet and its CSS), loaded only when the map is shown.
for (const file of readdirSync(path.join(dist, 'assets')).filter((name) => name.startsWith('ResultsMap-'))) {
  const content = readFileSync(path.join(dist, 'assets', file));
  console.log(
    `lazy: ${`/assets/${file}`.padEnd(34)} ${(content.length / 1024).toFixed(1).padStart(7)} kB raw ${(gzipSync(content, { level: 9 }).length / 1024).toFixed(1).padStart(7)} kB gzip (loaded with the map)`,
  );
}
if (kb >= BUDGET_KB) process.exit(1);
