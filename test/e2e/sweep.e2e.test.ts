// The Sweep page end to end, in a real browser against the real `mtl-studio serve`: a 3-run sweep
// (learning rate × 3, tiny runs) made with the New sweep form, launched on this machine one run at a
// time after the launch confirmation (run count, no cost estimate locally), one waiting run stopped
// from its row (it never starts), the other two followed to completed (the studio asks the executor
// for their status while the page looks), the plots drawn from the runs' metrics, and the compare
// view opened on the two with the swept key as variable.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Selectors } from './selectors.ts';
import { createSweep } from './steps/createSweep.ts';
import { openStudio } from './steps/openStudio.ts';
import { launchChromium, screenshot } from './support/browser.ts';
import { serveStudio, type ServedStudio } from './support/serve.ts';

const TINY = {
  'model.encoder': 'resnet18',
  'model.width': 0.125,
  'train.cropSize': 64,
  'train.epochs': 1,
  'train.batchSize': 4,
  'train.batchSizeVal': 4,
  'data.synthetic.train': 8,
  'data.synthetic.val': 4,
  'data.synthetic.test': 4,
};

let studio: ServedStudio;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [studio, browser] = await Promise.all([serveStudio(), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});
afterAll(async () => {
  await browser?.close();
  await studio?.stop();
});

describe('Sweep page in the browser', () => {
  it('makes, launches and stops a local sweep, follows it to the end, draws its plots and compares its runs', async () => {
    await openStudio(page, studio.url);
    await page.click(Selectors.NavSweep);
    await page.locator(Selectors.SweepPage).waitFor();
    const confirm = await createSweep(page, {
      name: 'e2e-sweep',
      preset: 'quick-cpu',
      base: TINY,
      grid: { 'optimizer.lr': '0.001, 0.003, 0.01' },
      executor: 'local',
      maxConcurrency: 1,
    });
    expect(confirm.runs).toBe(3);
    expect(confirm.estimate).toMatch(/No cost estimate/);
    await screenshot(page, '19-sweep-launch');
    await page.click(Selectors.SweepLaunchConfirm);
    await Promise.race([
      page.locator(Selectors.SweepLaunchDialog).waitFor({ state: 'detached', timeout: 60_000 }),
      page
        .locator(Selectors.SweepActionError)
        .waitFor({ timeout: 60_000 })
        .then(async () => {
          throw new Error(`launch failed: ${await page.locator(Selectors.SweepActionError).textContent()}`);
        }),
    ]);
    await page.locator(Selectors.sweepRow(2)).waitFor();
    expect(await page.locator(Selectors.SweepRunRow).count()).toBe(3);

    // One run at a time: run 1 waits. Stopped from its row, it never starts.
    await page.locator(`${Selectors.sweepRow(1)} ${Selectors.SweepRunStop}`).click();
    await page.locator(`${Selectors.sweepRow(1)}[data-status="stopped"]`).waitFor({ timeout: 60_000 });
    for (const i of [0, 2])
      await page.locator(`${Selectors.sweepRow(i)}[data-status="completed"]`).waitFor({ timeout: 200_000 });
    await expect(page.locator(`${Selectors.sweepRow(1)}[data-status="stopped"]`).count()).resolves.toBe(1);
    expect(await page.locator(`${Selectors.sweepRow(1)} ${Selectors.SweepSelect}`).isDisabled()).toBe(true);
    expect(await page.locator(Selectors.SweepStop).count()).toBe(0); // nothing left to stop

    // Two runs validated: a line per run (the stopped one dashed), a marginal group per learning
    // rate (the stopped one empty), a best-so-far line.
    await page.locator(`${Selectors.MarginalGroup}[data-n="1"]`).nth(1).waitFor({ timeout: 30_000 });
    expect(await page.locator(Selectors.ParcoordsLine).count()).toBe(3);
    expect(
      await page
        .locator(Selectors.MarginalGroup)
        .evaluateAll((els) => els.map((e) => [e.getAttribute('data-value'), e.getAttribute('data-n')])),
    ).toEqual([
      ['0.001', '1'],
      ['0.003', '0'],
      ['0.01', '1'],
    ]);
    await page.locator(Selectors.BestLine).waitFor({ state: 'attached' }); // flat when both score alike
    await screenshot(page, '20-sweep');

    for (const i of [0, 2]) await page.locator(`${Selectors.sweepRow(i)} ${Selectors.SweepSelect}`).check();
    await page.click(Selectors.SweepCompareSelected);
    await page.locator(Selectors.CompareView).waitFor();
    await page.locator(Selectors.ConfigDiff).waitFor();
    const diffOnly = page.locator(Selectors.DiffOnly);
    if (!(await diffOnly.isChecked())) await diffOnly.check();
    const differing = await page
      .locator(`${Selectors.DiffRow}[data-differs="true"]`)
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-key') ?? ''));
    expect(differing).toContain('optimizer.lr');
    await screenshot(page, '21-sweep-compare');
    expect(pageErrors).toEqual([]);
  });
});
