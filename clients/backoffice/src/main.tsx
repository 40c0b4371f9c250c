import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBackofficeRouter } from './app/router.js';
import { SessionProvider } from './auth/session.js';
import './styles.css';

const router = createBackofficeRouter();
const container = document.getElementById('root');
if (container === null) throw new Error('#root missing from index.html');
createRoot(container).render(
  <StrictMode>
    <SessionProvider>
      <RouterProvider router={router} />
    </SessionProvider>
  </StrictMode>,
);
