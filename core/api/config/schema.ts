// The one experiment-config schema (SPEC §5, §11). Every key here is a stable name used by config
// files, `--set key=value`, the UI form, run tables and CSV exports. Defaults reproduce the
// course template's deliberately weak baseline; presets (presets.ts) are differences over them.
import { z } from 'zod';

export const BACKENDS = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export const DEPTH_UNITS = ['meters', 'log', 'inverse'] as const;
export const ARCHS = ['joint', 'branched', 'distilled'] as const;
export const ENCODERS = ['resnet18', 'resnet34', 'resnet50'] as const;
export const OPTIMIZERS = ['sgd', 'adam'] as const;
export const DEPTH_LOSSES = ['mse', 'l1', 'silog', 'berhu'] as const;
export const SE_PLACEMENTS = ['none', 'encoder', 'decoder', 'both'] as const;

const positiveInt = z.number().int().positive();

export const DataConfig = z
  .object({
    /** A Miniscapes-format folder, or `synthetic` for the built-in procedural scenes. */
    root: z.string().min(1).default('synthetic'),
    /** Unit the depth head regresses (z-scored): metres (template), log-metres or inverse metres. */
    depthUnit: z.enum(DEPTH_UNITS).default('meters'),
    /** Size of the built-in synthetic dataset, used when root = synthetic. */
    synthetic: z
      .object({
        train: positiveInt.default(2000),
        val: positiveInt.default(250),
        test: positiveInt.default(250),
        height: positiveInt.default(128),
        width: positiveInt.default(256),
        seed: z.number().int().nonnegative().default(0),
      })
      .strict()
      .prefault({}),
    /** Worker threads that decode and augment batches off the training thread. */
    workers: z.number().int().min(0).max(16).default(1),
    /** Batches prepared ahead of the training step. */
    prefetch: positiveInt.default(2),
    /** Indices of val samples rendered to images at every validation. */
    observedSamples: z.array(z.number().int().nonnegative()).max(16).default([0, 1, 2, 3]),
  })
  .strict();

export const TrainConfig = z
  .object({
    epochs: positiveInt.default(16),
    batchSize: positiveInt.default(4),
    batchSizeVal: positiveInt.default(8),
    cropSize: z.number().int().min(32).multipleOf(32).default(256),
    /** Cap on optimizer steps per epoch (null = the whole train split). Shown wherever results are. */
    stepsPerEpoch: positiveInt.nullable().default(null),
    /** Cap on validation images per epoch (null = the whole val split). Shown wherever results are. */
    valLimit: positiveInt.nullable().default(null),
    /** Data-parallel replicas on wasm/cpu (core/train/parallel): 'auto' = one per core, 1 = one thread. */
    threads: z.union([z.literal('auto'), z.number().int().min(1).max(64)]).default(1),
  })
  .strict();

export const AugConfig = z
  .object({
    scaleMin: z.number().positive().default(1),
    scaleMax: z.number().positive().default(1),
    tiltMaxDeg: z.number().min(0).max(90).default(0),
    wiggleMaxRatio: z.number().min(0).max(0.5).default(0),
    flip: z.boolean().default(false),
  })
  .strict()
  .refine((a) => a.scaleMin <= a.scaleMax, {
    message: 'aug.scaleMin must be <= aug.scaleMax',
    path: ['scaleMin'],
  });

export const OptimizerConfig = z
  .object({
    name: z.enum(OPTIMIZERS).default('sgd'),
    lr: z.number().positive().max(10).default(0.01),
    momentum: z.number().min(0).max(1).default(0.9),
    weightDecay: z.number().min(0).default(1e-4),
  })
  .strict();

export const ScheduleConfig = z
  .object({
    /** Poly LR, stepped per epoch: lr_e = lr0 * max(1e-6, (1 - e/E)^power). */
    power: z.number().min(0).default(0.9),
    /** Linear warm-up over this many epochs (0 = none, the template). */
    warmupEpochs: z.number().min(0).default(0),
  })
  .strict();

export const ModelConfig = z
  .object({
    arch: z.enum(ARCHS).default('joint'),
    encoder: z.enum(ENCODERS).default('resnet34'),
    /** Channel multiplier for every layer (1 = standard widths; < 1 for CPU experiments and tests). */
    width: z.number().positive().max(4).default(1),
    /** false, `imagenet` (the encoder's standard weights, downloaded once into <workspace>/weights),
     * or a path/URL of a torchvision-named ResNet safetensors file (`mtl-studio weights import`). */
    pretrained: z.union([z.literal(false), z.string().min(1)]).default(false),
    /** ResNet v1 layout: a downsampling bottleneck strides in its first 1×1 conv, not the 3×3 (v1.5).
     * Set by the trainer when the pretrained file says its weights were trained that way (Keras). */
    strideIn1x1: z.boolean().default(false),
    /** Replace the stride of layer2..layer4 by dilation (torchvision's replace_stride_with_dilation). */
    dilation: z.tuple([z.boolean(), z.boolean(), z.boolean()]).default([false, false, false]),
    /** true = full ASPP; false = the template's short-circuit (one 1x1 conv-BN-ReLU). */
    aspp: z.boolean().default(false),
    asppRates: z.tuple([positiveInt, positiveInt, positiveInt]).default([6, 12, 18]),
    asppDropout: z.number().min(0).max(0.9).default(0),
    /** true = DeepLabV3+ decoder with the 48-ch skip; false = the template's upsample + 1x1. */
    skip: z.boolean().default(false),
    /** Squeeze-and-excitation placement. */
    se: z.enum(SE_PLACEMENTS).default('none'),
    /** Extra decoder skip connections from every encoder scale (s8, s16), beyond DeepLabV3+'s s4. */
    extraSkips: z.boolean().default(false),
  })
  .strict();

export const LossConfig = z
  .object({
    semsegWeight: z.number().min(0).default(0.5),
    depthWeight: z.number().min(0).default(0.5),
    depth: z.enum(DEPTH_LOSSES).default('mse'),
  })
  .strict();

export const EvalConfig = z
  .object({
    tta: z
      .object({
        flip: z.boolean().default(false),
        scales: z.array(z.number().positive().max(4)).min(1).default([1]),
        /** How the copies' class probabilities combine; depth is always averaged (a max biases it far). */
        aggregate: z.enum(['mean', 'max']).default('mean'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const ExperimentConfig = z
  .object({
    name: z.string().min(1).max(200).default('experiment'),
    seed: z.number().int().nonnegative().default(0),
    backend: z.enum(BACKENDS).default('auto'),
    /** Kernel threads of the wasm backend (XNNPACK's pool, up to 8): 'auto' = every core. */
    backendThreads: z.union([z.literal('auto'), z.number().int().min(1).max(8)]).default('auto'),
    data: DataConfig.prefault({}),
    train: TrainConfig.prefault({}),
    aug: AugConfig.prefault({}),
    optimizer: OptimizerConfig.prefault({}),
    schedule: ScheduleConfig.prefault({}),
    model: ModelConfig.prefault({}),
    loss: LossConfig.prefault({}),
    eval: EvalConfig.prefault({}),
  })
  .strict();

export type ExperimentConfig = z.infer<typeof ExperimentConfig>;
/** What a user writes: any subset of the keys. */
export type ExperimentConfigInput = z.input<typeof ExperimentConfig>;
export type ModelConfig = z.infer<typeof ModelConfig>;
export type Backend = (typeof BACKENDS)[number];
export type DepthUnit = (typeof DEPTH_UNITS)[number];
