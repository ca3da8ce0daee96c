// The remote calls: SSH/EC2 targets, studio-launched EC2 instances, the sync state of mirrored
// runs. Each forwards to its bridge (core/studio/targets.ts). Sweeps: handlers/sweeps.ts.
import type { StudioHandlers } from '../../api/studio.ts';
import type { TargetsBridge } from '../targets.ts';

type CloudCall =
  | 'targets.list'
  | 'targets.add'
  | 'targets.test'
  | 'targets.remove'
  | 'instances.list'
  | 'instances.launch'
  | 'instances.terminate'
  | 'sync.status'
  | 'sync.now';

export function cloudHandlers(targets: TargetsBridge): Pick<StudioHandlers, CloudCall> {
  return {
    'targets.list': async () => ({ targets: await targets.list() }),
    'targets.add': (req) => targets.add(req),
    'targets.test': (req) => targets.test(req.id),
    'targets.remove': async (req) => ({ removed: await targets.remove(req.id) }),
    'instances.list': () => targets.instances(),
    'instances.launch': (req) => targets.launch(req),
    'instances.terminate': async (req) => {
      await targets.terminate(req.id);
      return { ok: true as const };
    },
    'sync.status': (req) => targets.sync(req.id),
    'sync.now': (req) => targets.syncNow(req.id),
  };
}
