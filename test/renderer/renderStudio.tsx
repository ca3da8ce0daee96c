// Render a component inside the studio providers of a fake studio.
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { StudioStoreProvider } from '../../renderer/src/store/index.ts';
import { StudioApiProvider } from '../../renderer/src/api/react.ts';
import { ActionsProvider } from '../../renderer/src/actions/react.ts';
import type { createFakeStudio } from './fakeApi.ts';

export function renderStudio(ui: ReactElement, f: ReturnType<typeof createFakeStudio>) {
  return render(
    <StudioStoreProvider store={f.store}>
      <StudioApiProvider api={f.api} sync={f.sync}>
        <ActionsProvider manager={f.actions}>{ui}</ActionsProvider>
      </StudioApiProvider>
    </StudioStoreProvider>,
  );
}
