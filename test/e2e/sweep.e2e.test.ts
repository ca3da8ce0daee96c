// The Sweep page end to end: a 2-run sweep (learning rate × 1) made and launched with the real CLI
// on the local executor, watched in a real browser against the real `mtl-studio serve` until both
// runs complete (the studio asks the executor for their status while the page looks), its plots
// drawn from the runs' metrics, and the compare view opened on both with the swept key as variable.
import { execFileSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Selectors } from './selectors.ts';
import { openStudio } from './steps/openStudio.ts';
import { launchChromium, screenshot } from './support/browser.ts';
import { serveStudio, type ServedStudio } from './support/serve.ts';

const TINY = [
  'model.encoder=resnet18',
  'model.width=0.125',
  'train.cropSize=64',
  'train.epochs=1',
  'train.batchSize=4',
  'train.batchSizeVal=4',
  'data.synthetic.train=8',
  'data.synthetic.val=4',
  'data.synthetic.test=4',
];

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

const cli = (...args: string[]): { id: string } => {
  const out = execFileSync(
    process.execPath,
    ['bin/mtl-studio.mjs', '--workspace', studio.workspace, '--json', ...args],
    { encoding: 'utf8', env: { ...process.env, MTL_PROGRESS: '0' } },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as { id: string };
};

describe('Sweep page in the browser', () => {
  it('follows a local sweep to the end, draws its plots and compares its runs', async () => {
    const { id } = cli(
      'sweep',
      'create',
      '--name',
      'e2e-sweep',
      '--preset',
      'quick-cpu',
      ...TINY.flatMap((kv) => ['--set', kv]),
      '--axis',
      'optimizer.lr=0.001,0.003',
    );
    cli('sweep', 'launch', id, '--executor', 'local', '--max-concurrency', '2');

    await openStudio(page, studio.url);
    await page.click(Selectors.NavSweep);
    await page.locator(Selectors.SweepPage).waitFor();
    await page.locator(Selectors.SweepRunRow).first().waitFor();
    expect(await page.locator(Selectors.SweepRunRow).count()).toBe(2);
    await page
      .locator(`${Selectors.SweepRunRow}[data-status="completed"]`)
      .nth(1)
      .waitFor({ timeout: 200_000 });
    // Both runs validated: a line each, a marginal group per learning rate, a best-so-far line.
    await page.locator(`${Selectors.MarginalGroup}[data-n="1"]`).nth(1).waitFor({ timeout: 30_000 });
    expect(await page.locator(Selectors.ParcoordsLine).count()).toBe(2);
    expect(
      await page
        .locator(Selectors.MarginalGroup)
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-value'))),
    ).toEqual(['0.001', '0.003']);
    await page.locator(Selectors.BestLine).waitFor({ state: 'attached' }); // flat when both score alike
    await screenshot(page, '20-sweep');

    for (const box of await page.locator(Selectors.SweepSelect).all()) await box.check();
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
