import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

/** Built into dist/ and served by `npm start` under /backoffice (ops/src/start/static-clients.ts). */
export default defineConfig({
  base: '/backoffice/',
  plugins: [react()],
  // Workspace packages (@pti/api-client) resolve to their TypeScript sources, as everywhere in the repo.
  resolve: { conditions: ['pti-source', ...defaultClientConditions] },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    // `npm run dev`: the API of a local `npm start` on port 3000.
    proxy: { '/api': 'http://localhost:3000' },
  },
});
