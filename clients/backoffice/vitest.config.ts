import react from '@vitejs/plugin-react';
import type { UserWorkspaceConfig } from 'vitest/config';
import { ptiProject } from '../../vitest.shared.ts';

/**
 * Component tests (`src/**\/*.test.tsx`, jsdom via a per-file docblock) and browser end-to-end
 * tests (`test/*.e2e.test.ts`, headless Debian Chromium against `pti start`).
 */
const project = ptiProject('@pti/backoffice', {
  include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
});

const config: UserWorkspaceConfig = { ...project, plugins: [react()] };
export default config;
