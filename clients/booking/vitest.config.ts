import react from '@vitejs/plugin-react';
import { defineProject } from 'vitest/config';

/** Component tests in jsdom; browser tests (`*.e2e.test.ts`) drive Debian Chromium against `npm start`. */
export default defineProject({
  plugins: [react()],
  resolve: {
    conditions: ['pti-source'],
    alias: [{ find: /^leaflet$/, replacement: 'leaflet/dist/leaflet-src.esm.js' }],
  },
  test: {
    name: '@pti/booking',
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 180_000,
    setupFiles: ['./test/setup.ts'],
  },
});
