// The workspace's pretrained-weights cache (weights.list), loaded once per form; empty when the
// engine cannot answer (the form still works, without cache states).
import { useEffect, useState } from 'react';
import type { WeightsInfo } from '../../../core/api/studio.ts';
import { useApi } from '../api/react.ts';

export function useWeights(): { weights: WeightsInfo[] | null; reload: () => void } {
  const api = useApi();
  const [weights, setWeights] = useState<WeightsInfo[] | null>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    api.client.weights.list().then(
      (r) => live && setWeights(r.weights),
      () => live && setWeights([]),
    );
    return () => {
      live = false;
    };
  }, [api, generation]);
  return { weights, reload: () => setGeneration((g) => g + 1) };
}

export const megabytes = (n: number): string => `${(n / 1024 ** 2).toFixed(1)} MB`;

/** The standard (torchvision) weights `model.pretrained: imagenet` resolves to for an encoder. */
export const imagenetEntry = (weights: WeightsInfo[] | null, encoder: string): WeightsInfo | undefined =>
  weights?.find((w) => w.name === `${encoder}.tv_in1k`);
