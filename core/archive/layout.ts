// The submission archive layout (SPEC §8), shared by the writer and the grader.
//   predictions/semseg/<i>.png   palette PNG of class ids 0..18
//   predictions/depth/<i>.png    uint8 disparity codes 1..255 (metres clamped to [4, 300])
//   checkpoint/<name>.safetensors, config.json, run.json, metrics.csv, train.log
//   source/…                      the engine that trained the run (core/, package.json, package-lock.json)
//   manifest.json                 sha256 and size of every other entry, the checkpoint and the
//                                 provenance of the predictions (written last)

export const MANIFEST = 'manifest.json';
export const MANIFEST_FORMAT = 'mtl-studio-submission';
/** 2: the checkpoint's step and sha256, and the provenance of the predictions. */
export const MANIFEST_VERSION = 2;

export type PredictionKind = 'semseg' | 'depth';
export const PREDICTION_KINDS: readonly PredictionKind[] = ['semseg', 'depth'];

export const predictionEntry = (kind: PredictionKind, index: number): string =>
  `predictions/${kind}/${index}.png`;

/** `predictions/<kind>/<i>.png` → { kind, index }; null for anything else. */
export function parsePredictionEntry(name: string): { kind: PredictionKind; index: number } | null {
  const m = /^predictions\/(semseg|depth)\/(0|[1-9]\d*)\.png$/.exec(name);
  return m ? { kind: m[1] as PredictionKind, index: Number(m[2]) } : null;
}

export interface ManifestEntry {
  path: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  createdAt: string;
  run: { id: string; name: string };
  checkpoint: { kind: string; path: string; step?: number; sha256?: string };
  predictions: number;
  /** What made the predictions (from predictions/test/provenance.json): the same checkpoint file. */
  provenance?: {
    split: string;
    createdAt: string;
    checkpoint: { kind: string; file: string; step: number; epoch: number; sha256: string };
    tta: { flip: boolean; scales: number[]; aggregate: string };
  };
  entries: ManifestEntry[];
}

/** "3, 7–9, 12" for a sorted list of indices (at most `max` groups, then "…"). */
export function formatIndices(indices: number[], max = 10): string {
  const groups: string[] = [];
  for (let i = 0; i < indices.length;) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j]! + 1) j++;
    groups.push(j === i ? `${indices[i]}` : `${indices[i]}–${indices[j]}`);
    i = j + 1;
  }
  return groups.length > max ? `${groups.slice(0, max).join(', ')}, …` : groups.join(', ');
}
