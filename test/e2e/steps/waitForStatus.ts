// Run view: wait until the run's status (header data-status) is one of `statuses`.
import type { Page } from 'playwright-core';
import { Selectors } from '../selectors.ts';

export async function waitForStatus(page: Page, statuses: string[], timeoutMs = 180_000): Promise<string> {
  const sel = statuses.map((s) => `${Selectors.RunViewHeader}[data-status="${s}"]`).join(', ');
  const el = page.locator(sel);
  await el.waitFor({ timeout: timeoutMs });
  return (await el.getAttribute('data-status'))!;
}
