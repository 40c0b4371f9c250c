import { registerSW } from 'virtual:pwa-register';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { router } from './app/router.js';
import './styles/app.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <RouterProvider router={router} />
    </StrictMode>,
  );
}

// The service worker keeps the app shell and the last searches readable offline.
if ('serviceWorker' in navigator && import.meta.env.PROD) registerSW({ immediate: true });
