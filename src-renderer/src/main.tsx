import '@mantine/core/styles.css';
import './ui/desk.css';
import { MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createQueryClient } from './api/queries';
import { App } from './app/App';
import { ToastProvider } from './ui/Toast';
import { cssVariablesResolver, theme } from './ui/theme';

const queryClient = createQueryClient();
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
        <ToastProvider>
          <App />
        </ToastProvider>
      </MantineProvider>
    </QueryClientProvider>
  </StrictMode>,
);
