// Renderer entry: pick the transport, build store, API sync and actions, render the shell.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';
import { App } from './App.tsx';
import { createStudioApi } from './api/api.ts';
import { pickTransport } from './api/transport.ts';
import { createStudioSync } from './api/sync.ts';
import { StudioApiProvider } from './api/react.ts';
import { createActionManager } from './actions/registry.ts';
import { ActionsProvider } from './actions/react.ts';
import { createStudioStore, StudioStoreProvider } from './store/index.ts';

const picked = pickTransport();
const api = createStudioApi(picked.transport, picked.token);
const store = createStudioStore();
const sync = createStudioSync(api, store);
const actions = createActionManager({ store, api, sync });
// `#targets`, `#runs`, … open that screen (links from docs and the CLI; after the first-start redirect).
const LINKABLE = ['runs', 'new', 'compare', 'sweep', 'export', 'targets'] as const;
void sync.start().then(() => {
  const view = location.hash.slice(1) as (typeof LINKABLE)[number];
  if (LINKABLE.includes(view)) store.getState().navigate(view);
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StudioStoreProvider store={store}>
      <StudioApiProvider api={api} sync={sync}>
        <ActionsProvider manager={actions}>
          <App />
        </ActionsProvider>
      </StudioApiProvider>
    </StudioStoreProvider>
  </StrictMode>,
);
