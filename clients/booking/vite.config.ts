import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * The motorists' PWA. `vite build` writes `dist/`, which `npm start` serves at `/`.
 * Workbox precaches the app shell; API answers for searches and centre pages are kept
 * (network first) so the last ones stay readable offline.
 */
export default defineConfig({
  resolve: {
    conditions: ['pti-source', ...defaultClientConditions],
    // Leaflet's package points at its UMD build; its ES module build bundles without a CommonJS shim.
    alias: [{ find: /^leaflet$/, replacement: 'leaflet/dist/leaflet-src.esm.js' }],
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  plugins: [
    react(),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: null,
      manifest: {
        name: 'PTI Contrôle technique — prise de rendez-vous',
        short_name: 'PTI RDV',
        description: 'Réservez votre contrôle technique dans un centre PTI.',
        lang: 'fr',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#0b4f8a',
        icons: [
          { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
          { src: '/icon-maskable.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'maskable' },
        ],
      },
      workbox: {
        navigateFallback: '/index.html',
        // The API, the back office, the docs and the simulators are never answered with the app shell.
        navigateFallbackDenylist: [/^\/api\//, /^\/backoffice/, /^\/docs/, /^\/simulators\//, /^\/health/],
        globPatterns: ['**/*.{js,css,html,svg,webmanifest}'],
        // Map tiles are not cached here: they come from another origin as opaque answers (an error
        // cached would stick), and the tile server's terms forbid bulk offline copies. Workbox lets
        // a request no route matches go to the network untouched, so a failing tile only shows the
        // map's notice, never a broken page or a cached error.
        runtimeCaching: [
          {
            urlPattern: ({ url }) =>
              url.pathname === '/api/v1/centres' ||
              /^\/api\/v1\/centres\/[^/]+(\/availability)?$/.test(url.pathname) ||
              url.pathname === '/api/v1/first-free-slots',
            handler: 'NetworkFirst',
            options: {
              cacheName: 'pti-recherches',
              networkTimeoutSeconds: 4,
              expiration: { maxEntries: 80, maxAgeSeconds: 7 * 24 * 3600 },
              cacheableResponse: { statuses: [200] },
            },
          },
        ],
      },
    }),
  ],
});
