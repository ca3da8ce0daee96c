// One human-readable line per event for train.log and the CLI (null: not worth a line).
import type { RunEvent } from '../api/events.ts';

const f = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

export function describeEvent(e: RunEvent): string | null {
  const at = `epoch ${e.epoch + 1} step ${e.step}`;
  switch (e.type) {
    case 'start':
      return `start ${at}: backend ${e.backend.name} ${e.backend.version}, ${e.params} parameters, pid ${e.pid}${e.resumedFrom ? `, from ${e.resumedFrom.run}:${e.resumedFrom.checkpoint}@${e.resumedFrom.step}` : ''}`;
    case 'step':
      return `${at}: loss ${f(e.loss.total)} (semseg ${f(e.loss.semseg)}, depth ${f(e.loss.depth)}) lr ${e.lr.toExponential(3)} ${f(e.msPerStep, 0)} ms/step ${f(e.imagesPerSec, 1)} img/s, ${e.memory.tensors} tensors`;
    case 'val':
      return `${e.split} ${at}: multitask ${f(e.metrics.multitask, 2)} mIoU ${f(e.metrics.miou, 2)} SI-logRMSE ${f(e.metrics.si_log_rmse, 2)}${e.isBest ? ' (best)' : ''}`;
    case 'checkpoint':
      return `checkpoint ${e.kind} ${at} → ${e.path}`;
    case 'resume':
      return `resume from ${e.fromCheckpoint} at step ${e.supersedesAfterStep}`;
    case 'status':
      return `status ${e.status}${e.message ? `: ${e.message}` : ''}`;
    case 'log':
      return `${e.level}: ${e.message}`;
    default:
      return null;
  }
}
