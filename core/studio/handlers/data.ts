// The dataset and weights calls: datasets the workspace knows, checking a folder, generating a
// synthetic set (a job), and the ImageNet weights cache.
import type { StudioHandlers } from '../../api/studio.ts';
import { listRuns } from '../../runs/store.ts';
import { folderDataset, syntheticDatasets } from '../datasets.ts';
import { generateJob } from '../generateJob.ts';
import type { JobManager } from '../jobs.ts';
import { listWeightsInfo } from '../weights.ts';

export function dataHandlers(
  workspace: string,
  jobs: JobManager,
): Pick<StudioHandlers, 'data.datasets' | 'data.validate' | 'data.generate' | 'weights.list'> {
  return {
    'data.datasets': async () => {
      const list = syntheticDatasets(workspace);
      const roots = new Set(
        listRuns(workspace)
          .map((r) => r.config.data?.root)
          .filter((r) => r && r !== 'synthetic'),
      );
      for (const root of roots) {
        const f = folderDataset(root!);
        if (f.dataset) list.push(f.dataset);
      }
      return { datasets: list };
    },
    'data.validate': async ({ root }) => folderDataset(root),
    'weights.list': async () => listWeightsInfo(workspace),
    'data.generate': async (spec) => ({ jobId: generateJob(workspace, jobs, spec) }),
  };
}
