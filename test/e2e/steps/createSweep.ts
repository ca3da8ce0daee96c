// New sweep on the Sweep page: name, preset, base overrides (each key added, then set in its
// generated input), grid axes, executor and max concurrency; Create, then the launch confirmation.
// Returns the confirmation's run count and cost line; the caller decides whether to launch.
import type { Page } from 'playwright-core';
import { Selectors } from '../selectors.ts';

export async function createSweep(
  page: Page,
  opts: {
    name: string;
    preset: string;
    base: Record<string, string | number>;
    grid: Record<string, string>;
    executor: string;
    maxConcurrency: number;
  },
): Promise<{ runs: number; estimate: string }> {
  await page.click(Selectors.SweepNew);
  await page.locator(Selectors.SweepNewForm).waitFor();
  await page.fill(Selectors.SweepName, opts.name);
  await page.selectOption(Selectors.SweepPreset, opts.preset);
  for (const [key, value] of Object.entries(opts.base)) {
    await page.fill(Selectors.SweepOverrideKey, key);
    await page.click(Selectors.SweepOverrideAdd);
    const field = page.locator(`${Selectors.SweepNewForm} ${Selectors.configField(key)}`);
    const tag = await field.evaluate((el) => el.tagName.toLowerCase());
    if (tag === 'select') await field.selectOption(String(value));
    else await field.fill(String(value));
  }
  const axes = Object.entries(opts.grid);
  for (const [i, [key, values]] of axes.entries()) {
    if (i > 0) await page.click(Selectors.SweepAxisAdd);
    await page.locator(Selectors.SweepAxisKey).nth(i).fill(key);
    await page.locator(Selectors.SweepAxisKind).nth(i).selectOption('grid');
    await page.locator(Selectors.SweepAxisValues).nth(i).fill(values);
  }
  await page.selectOption(Selectors.SweepExecutor, opts.executor);
  await page.fill(Selectors.SweepMaxConcurrency, String(opts.maxConcurrency));
  await page.locator(`${Selectors.SweepRunCount}:not([data-runs=""])`).waitFor();
  await page.click(Selectors.SweepCreate);
  await page.locator(Selectors.SweepLaunchDialog).waitFor({ timeout: 30_000 });
  return {
    runs: Number(await page.locator(Selectors.SweepLaunchRuns).textContent()),
    estimate: (await page.locator(Selectors.SweepLaunchEstimate).textContent()) ?? '',
  };
}
