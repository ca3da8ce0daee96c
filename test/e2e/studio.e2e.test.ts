// The studio end to end in a real browser (Debian's Chromium) against the real `mtl-studio serve`
// on a fresh workspace: a new user starts a small run from the form, watches the curves grow,
// opens the predictions, compares two runs, exports the submission archive and checks the file.
// Screenshots of every screen go to test-artifacts/e2e/.
import { existsSync, statSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Selectors } from './selectors.ts';
import { compareRuns } from './steps/compareRuns.ts';
import { exportArchive } from './steps/exportArchive.ts';
import { openPredictions } from './steps/openPredictions.ts';
import { openRun } from './steps/openRun.ts';
import { openStudio } from './steps/openStudio.ts';
import { startRunFromForm } from './steps/startRunFromForm.ts';
import { waitForStatus } from './steps/waitForStatus.ts';
import { watchCurvesGrow } from './steps/watchCurves.ts';
import { launchChromium, screenshot } from './support/browser.ts';
import { serveStudio, type ServedStudio } from './support/serve.ts';
import { zipEntries } from './support/zip.ts';

/** A run small enough for the suite: ~12 steps of a 1/8-width ResNet-18 on 64×64 crops. */
export const TINY_RUN = {
  'model.encoder': 'resnet18',
  'model.width': 0.125,
  'train.cropSize': 64,
  'train.epochs': 3,
  'train.batchSize': 8,
  'train.batchSizeVal': 8,
  'data.synthetic.train': 32,
  'data.synthetic.val': 8,
  'data.synthetic.test': 8,
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

describe('studio in the browser', () => {
  const ids: string[] = [];

  it('offers quick-cpu to a new user and starts a small run from the form', async () => {
    await openStudio(page, studio.url);
    expect(new URL(page.url()).searchParams.get('token')).toBeNull(); // traded for the cookie
    await screenshot(page, '01-first-start');
    await page.click(Selectors.NavNewRun);
    expect(await page.locator(Selectors.PresetSelect).inputValue()).toBe('quick-cpu');
    await screenshot(page, '02-new-run-form');
    ids.push(await startRunFromForm(page, { preset: 'quick-cpu', name: 'e2e adam 2e-3', fields: TINY_RUN }));
    expect(ids[0]).toMatch(/^\d{8}-\d{6}-e2e-adam-2e-3-[0-9a-f]{4}$/);
  });

  it('shows the loss curve growing while the run trains', async () => {
    const seen = await watchCurvesGrow(page, 'loss.total', 2);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    await screenshot(page, '03-run-curves-live');
  });

  it('starts a second run that differs in the learning rate, training alongside', async () => {
    ids.push(
      await startRunFromForm(page, {
        preset: 'quick-cpu',
        name: 'e2e adam 1e-3',
        fields: { ...TINY_RUN, 'optimizer.lr': 0.001 },
      }),
    );
  });

  it('shows predictions of the observed samples once the first run has validated', async () => {
    await openRun(page, ids[0]!);
    await waitForStatus(page, ['completed']);
    await page.click(Selectors.runTab('curves'));
    await screenshot(page, '04-run-curves-done');
    const { rows, kinds } = await openPredictions(page);
    expect(rows).toBeGreaterThanOrEqual(1);
    expect(kinds).toEqual(
      expect.arrayContaining(['rgb', 'gtSemseg', 'predSemseg', 'gtDepth', 'predDepth', 'error']),
    );
    await screenshot(page, '05-predictions');
  });

  it('compares the two runs: the config diff names the learning rate', async () => {
    await openRun(page, ids[1]!);
    await waitForStatus(page, ['completed']);
    await page.click(Selectors.NavRuns);
    await screenshot(page, '06-runs-table');
    const differing = await compareRuns(page, ids);
    expect(differing).toContain('optimizer.lr');
    await screenshot(page, '07-compare');
  });

  it('exports the submission archive of a run and the file holds the test predictions', async () => {
    const path = await exportArchive(page, ids[0]!, 'best');
    await screenshot(page, '08-export');
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).size).toBeGreaterThan(1000);
    const names = await zipEntries(path);
    for (let i = 0; i < TINY_RUN['data.synthetic.test']; i++) {
      expect(names).toContain(`predictions/semseg/${i}.png`);
      expect(names).toContain(`predictions/depth/${i}.png`);
    }
  });

  it('raised no uncaught errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
