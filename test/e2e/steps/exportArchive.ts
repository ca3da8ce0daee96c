// Export: the submission archive of a run with progress; returns the zip's path on disk.
import type { Page } from 'playwright-core';
import { Selectors } from '../selectors.ts';

export async function exportArchive(
  page: Page,
  runId: string,
  checkpoint = 'best',
  timeoutMs = 180_000,
): Promise<string> {
  await page.click(Selectors.NavExport);
  await page.locator(Selectors.ExportView).waitFor();
  await page.selectOption(Selectors.ExportRunSelect, runId);
  await page.selectOption(Selectors.ExportCheckpointSelect, checkpoint);
  await page.click(Selectors.ArchiveStart);
  const progress = page.locator(Selectors.ArchiveProgress);
  await progress.waitFor();
  const end = page.locator(
    `${Selectors.ArchiveProgress}[data-state="done"], ${Selectors.ArchiveProgress}[data-state="failed"]`,
  );
  await end.waitFor({ timeout: timeoutMs });
  const state = await end.getAttribute('data-state');
  if (state !== 'done') throw new Error(`archive job ${state}: ${await progress.innerText()}`);
  return (await progress.getAttribute('data-path'))!;
}
