// Named presets: differences over the template defaults (schema.ts), each with its reason.
import type { ExperimentConfigInput } from './schema.ts';

export const PRESETS = {
  /** The course template as shipped: SGD 1e-2, random init, output stride 32, no ASPP, no skip. */
  baseline: {},

  /** The course's settings after the hyperparameter study (SPEC §5). `pretrained` needs a
   * torchvision ResNet safetensors file; set model.pretrained to its path where you have one. */
  recommended: {
    optimizer: { name: 'adam', lr: 1e-4 },
    model: { dilation: [false, false, true], aspp: true, skip: true },
  },

  /** Shared encoder, per-task ASPP + decoder. */
  branched: {
    optimizer: { name: 'adam', lr: 1e-4 },
    model: { arch: 'branched', dilation: [false, false, true], aspp: true, skip: true },
  },

  /** Branched + decoder features exchanged through self-attention, deep supervision. */
  distilled: {
    optimizer: { name: 'adam', lr: 1e-4 },
    model: { arch: 'distilled', dilation: [false, false, true], aspp: true, skip: true },
  },

  /** Trains to a meaningful result on the synthetic scenes on a 2-core CPU in about 10 minutes
   * (2,000 steps; docs/RESULTS.md: multitask ≈ 14, mIoU ≈ 33, SI-logRMSE ≈ 36). */
  'quick-cpu': {
    name: 'quick-cpu',
    // Its kernels are too small to split across cores (one wasm thread measured 190–233 ms/step, two
    // 222–295), and the data loader's worker thread gets the other core.
    backendThreads: 1,
    data: { synthetic: { train: 2000, val: 48, test: 48, height: 64, width: 128 } },
    train: { epochs: 8, batchSize: 8, batchSizeVal: 16, cropSize: 64 },
    optimizer: { name: 'adam', lr: 2e-3 },
    model: {
      encoder: 'resnet18',
      width: 0.25,
      dilation: [false, false, true],
      aspp: true,
      skip: true,
      asppRates: [2, 4, 6],
    },
  },
} satisfies Record<string, ExperimentConfigInput>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
