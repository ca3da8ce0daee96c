// Runs table → a run's view.
import type { Page } from 'playwright-core';
import { Selectors } from '../selectors.ts';

export async function openRun(page: Page, runId: string): Promise<void> {
  await page.click(Selectors.NavRuns);
  await page.locator(`${Selectors.runRow(runId)} ${Selectors.RunOpen}`).click();
  await page.locator(`${Selectors.RunViewHeader}[data-run-id="${runId}"]`).waitFor();
}
