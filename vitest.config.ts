import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'contracts/events',
      'platform',
      'write-side',
      'projections',
      'read-api',
      'sagas',
      'clients/*',
      'ops',
    ],
    reporters: ['default', './vitest.summary-reporter.ts'],
  },
});
