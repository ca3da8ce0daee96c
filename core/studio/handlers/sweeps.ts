// The sweep calls: list and follow sweeps (core/studio/sweeps.ts), and make, launch and stop them
// with the same core functions as `mtl-studio sweep create|launch|stop [--run i]`
// (core/sweep/store.ts, core/sweep/control.ts).
import type { StudioHandlers } from '../../api/studio.ts';
import { availableExecutors, launchSweep, planLaunch, stopSweep, stopSweepRun } from '../../sweep/control.ts';
import { createSweep, listSweepIds } from '../../sweep/store.ts';
import { notFound } from '../files.ts';
import type { SweepsBridge } from '../sweeps.ts';

type SweepCall =
  | 'sweeps.list'
  | 'sweeps.get'
  | 'sweeps.executors'
  | 'sweeps.create'
  | 'sweeps.estimate'
  | 'sweeps.launch'
  | 'sweeps.stop';

export function sweepsHandlers(workspace: string, sweeps: SweepsBridge): Pick<StudioHandlers, SweepCall> {
  const known = (id: string): string => {
    if (!listSweepIds(workspace).includes(id)) throw notFound(`no sweep ${id} in this workspace`);
    return id;
  };
  return {
    'sweeps.list': async () => sweeps.list(),
    'sweeps.get': async (req) => sweeps.get(req.id),
    'sweeps.executors': async () => ({ executors: availableExecutors(workspace) }),
    'sweeps.create': async ({ definition }) => {
      const { record, manifest } = createSweep(workspace, definition, 'studio');
      return { id: record.id, runs: manifest.runs.length, sweptKeys: manifest.sweptKeys };
    },
    'sweeps.estimate': async ({ id, ...settings }) => planLaunch(workspace, known(id), settings),
    'sweeps.launch': async ({ id, ...settings }) => {
      await launchSweep(workspace, known(id), settings);
      return sweeps.get(id);
    },
    'sweeps.stop': async ({ id, index }) => {
      if (index === undefined) await stopSweep(workspace, known(id));
      else await stopSweepRun(workspace, known(id), index);
      return sweeps.get(id);
    },
  };
}
