// Every studio action, registered once; toolbar, shortcuts and the command palette read this list.
import { ActionManager } from './manager.ts';
import type { ActionContext } from './types.ts';
import * as navigation from './navigation.ts';
import * as runControl from './runControl.ts';
import * as view from './view.ts';
import * as exportCsv from './exportCsv.ts';

export const ALL_ACTIONS = [
  navigation.goRuns,
  navigation.goNewRun,
  navigation.newQuickCpuRun,
  navigation.openSelectedRun,
  navigation.compareSelected,
  navigation.goExport,
  navigation.goTargets,
  navigation.openPalette,
  runControl.stopRun,
  runControl.resumeRun,
  runControl.forkRun,
  runControl.rerunWithConfig,
  runControl.archiveRun,
  runControl.revealRun,
  view.toggleSmoothing,
  view.toggleRaw,
  view.toggleSuperseded,
  view.toggleLogLoss,
  exportCsv.exportRunsCsv,
  exportCsv.exportScoresCsv,
];

export function createActionManager(ctx: ActionContext): ActionManager {
  return new ActionManager(ctx).register(...ALL_ACTIONS);
}
