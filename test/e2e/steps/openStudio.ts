// Open the studio URL (with its token) and wait until the app has connected to the engine.
import type { Page } from 'playwright-core';
import { Selectors } from '../selectors.ts';

export async function openStudio(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator(Selectors.App).waitFor({ timeout: 30_000 });
  await page.locator(Selectors.Connecting).waitFor({ state: 'detached', timeout: 30_000 });
}
