// New run: pick a preset, name the run, set config keys in the generated form, start; returns the
// new run's id once its run view opens.
import type { Page } from 'playwright-core';
import { Selectors } from '../selectors.ts';

export async function startRunFromForm(
  page: Page,
  opts: { preset: string; name: string; fields: Record<string, string | number> },
): Promise<string> {
  await page.click(Selectors.NavNewRun);
  await page.locator(Selectors.NewRunForm).waitFor();
  await page.selectOption(Selectors.PresetSelect, opts.preset);
  await page.fill(Selectors.RunNameInput, opts.name);
  for (const [key, value] of Object.entries(opts.fields)) {
    const field = page.locator(Selectors.configField(key)).first();
    const tag = await field.evaluate((el) => el.tagName.toLowerCase());
    if (tag === 'select') await field.selectOption(String(value));
    else await field.fill(String(value));
  }
  await page.locator(Selectors.fieldError('train.epochs')).waitFor({ state: 'detached' });
  await page.click(Selectors.StartRun);
  const header = page.locator(Selectors.RunViewHeader);
  await header.waitFor({ timeout: 120_000 });
  // The header of the new run (not of a run viewed before): wait for its name in the view.
  await page.waitForFunction(
    ([sel, name]) => document.querySelector(sel!)?.textContent?.includes(name!),
    [Selectors.RunViewHeader, opts.name],
    { timeout: 120_000 },
  );
  return (await header.getAttribute('data-run-id'))!;
}
