// Run view, curves tab: the chart of `series` must gain points while the run trains.
import type { Page } from 'playwright-core';
import { Selectors } from '../selectors.ts';

const points = (page: Page, series: string): Promise<number> =>
  page
    .locator(Selectors.chart(series))
    .first()
    .getAttribute('data-points')
    .then((v) => Number(v ?? 0));

/** Returns the point counts seen, strictly increasing, at least `times` + 1 of them. */
export async function watchCurvesGrow(
  page: Page,
  series = 'loss.total',
  times = 2,
  timeoutMs = 150_000,
): Promise<number[]> {
  await page.click(Selectors.runTab('curves'));
  await page.locator(Selectors.chart(series)).first().waitFor({ timeout: 60_000 });
  const seen = [await points(page, series)];
  const end = Date.now() + timeoutMs;
  while (seen.length <= times) {
    if (Date.now() > end) throw new Error(`chart ${series} did not grow: points seen ${seen.join(' → ')}`);
    await page.waitForTimeout(250);
    const n = await points(page, series);
    if (n > seen[seen.length - 1]!) seen.push(n);
  }
  return seen;
}
