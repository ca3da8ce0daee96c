// Runs table: select runs, compare; the config diff with "differences only" lists the keys that
// differ. Returns those keys.
import type { Page } from 'playwright-core';
import { Selectors } from '../selectors.ts';

export async function compareRuns(page: Page, ids: string[]): Promise<string[]> {
  await page.click(Selectors.NavRuns);
  await page.locator(Selectors.RunsTable).waitFor();
  for (const id of ids) await page.locator(`${Selectors.runRow(id)} ${Selectors.RunSelect}`).check();
  await page.click(Selectors.CompareSelected);
  await page.locator(Selectors.CompareView).waitFor();
  await page.locator(Selectors.ConfigDiff).waitFor();
  const diffOnly = page.locator(Selectors.DiffOnly);
  if (!(await diffOnly.isChecked())) await diffOnly.check();
  await page.locator(Selectors.CompareMetricsTable).waitFor();
  return page
    .locator(`${Selectors.DiffRow}[data-differs="true"]`)
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-key') ?? ''));
}
