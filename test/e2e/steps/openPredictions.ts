// Run view, predictions tab: sample rows with rgb | gt/pred semseg | gt/pred depth | error cells,
// drawn from the run's media (not blank). Returns the number of rows and the kinds of cells seen.
import type { Page } from 'playwright-core';
import { Selectors } from '../selectors.ts';

export async function openPredictions(page: Page): Promise<{ rows: number; kinds: string[] }> {
  await page.click(Selectors.runTab('predictions'));
  await page.locator(Selectors.PredictionsPanel).waitFor();
  await page.locator(Selectors.PredictionRow).first().waitFor({ timeout: 60_000 });
  // The cells are drawn from the decoded PNGs: wait until every canvas in the panel holds pixels
  // (and every <img>, if any, decoded).
  await page.waitForFunction(
    (sel) => {
      const panel = document.querySelector(sel);
      if (!panel) return false;
      const canvases = [...panel.querySelectorAll('canvas')];
      const imgs = [...panel.querySelectorAll('img')];
      const painted = (c: HTMLCanvasElement) => {
        if (!c.width || !c.height) return false;
        const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
        return !!d && d.some((v, i) => i % 4 === 3 && v > 0);
      };
      return (
        canvases.length + imgs.length > 0 &&
        canvases.every(painted) &&
        imgs.every((i) => i.complete && i.naturalWidth > 0)
      );
    },
    Selectors.PredictionsPanel,
    { timeout: 30_000 },
  );
  const rows = await page.locator(Selectors.PredictionRow).count();
  const kinds = await page
    .locator(`${Selectors.PredictionsPanel} ${Selectors.PredictionCell}`)
    .evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-kind') ?? ''))]);
  return { rows, kinds };
}
