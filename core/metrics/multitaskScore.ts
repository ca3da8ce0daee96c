// The headline number of every run (SPEC §4), also used to pick the best checkpoint:
// multitask = max(mIoU − 50, 0) + max(50 − SI-logRMSE, 0), range [0, 100], higher is better.

export function multitaskScore(miou: number, siLogRmse: number): number {
  return Math.max(miou - 50, 0) + Math.max(50 - siLogRmse, 0);
}
