// `weights.list`: the ImageNet weights cache of the workspace, for the new-run form. The cache
// module (which verifies files by building encoders) loads only when asked, keeping the studio's
// start free of TensorFlow.js.
import type { WeightsInfo } from '../api/studio.ts';

export async function listWeightsInfo(workspace: string): Promise<{ dir: string; weights: WeightsInfo[] }> {
  const { listWeights, weightsDir } = await import('../weights/node/cache.ts');
  return { dir: weightsDir(workspace), weights: listWeights(workspace) };
}
