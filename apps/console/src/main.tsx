import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiError } from './api/client';
import { Callback } from './pages/Callback';
import { Audit } from './pages/Audit';
import { Collections } from './pages/Collections';
import { Keys } from './pages/Keys';
import { Members } from './pages/Members';
import { OAuthClients } from './pages/OAuthClients';
import { Records } from './pages/Records';
import { Schema } from './pages/Schema';
import { Usage } from './pages/Usage';
import { Layout, SignedOut } from './pages/Layout';
import { Setup } from './pages/Setup';
import { Spaces } from './pages/Spaces';
import './styles.css';

const queries = new QueryClient({
  defaultOptions: {
    // A 4xx will not change by asking again; outages (5xx, network) are retried twice.
    queries: { retry: (count, error) => count < 2 && !(error instanceof ApiError && error.problem.status < 500) },
  },
});

const router = createBrowserRouter(
  [
    { path: '/setup', element: <Setup /> },
    { path: '/callback', element: <Callback /> },
    { path: '/signed-out', element: <SignedOut /> },
    {
      element: <Layout />,
      children: [
        { index: true, element: <Spaces /> },
        { path: '/spaces/:spaceId/keys', element: <Keys /> },
        { path: '/spaces/:spaceId/collections', element: <Collections /> },
        { path: '/spaces/:spaceId/collections/:name/schema', element: <Schema /> },
        { path: '/spaces/:spaceId/collections/:name/records', element: <Records /> },
        { path: '/spaces/:spaceId/members', element: <Members /> },
        { path: '/spaces/:spaceId/oauth-clients', element: <OAuthClients /> },
        { path: '/spaces/:spaceId/audit', element: <Audit /> },
        { path: '/spaces/:spaceId/usage', element: <Usage /> },
      ],
    },
  ],
  { basename: '/console' },
);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
