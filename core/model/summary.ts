// `model summary`: one traced forward pass at a given input size reports every layer (output shape,
// parameters, FLOPs), the encoder's feature pyramid, parameters per part, FLOPs per image and an
// estimate of the activation memory a training step keeps for the backward pass.
import * as tf from '@tensorflow/tfjs-core';
import type { MultiTaskModel } from './multiTaskModel.ts';
import { traceLayers, type TracedLayer } from './trace.ts';

export interface ModelSummary {
  arch: string;
  encoder: string;
  input: { batch: number; height: number; width: number };
  /** Total trainable parameters (PyTorch's count: buffers excluded). */
  params: number;
  /** Parameters per part: encoder, aspp, decoder, heads, attention. */
  parts: Record<string, number>;
  /** BN running statistics (state saved in checkpoints, not trained). */
  buffers: number;
  outputStride: number;
  features: { name: string; stride: number; channels: number; height: number; width: number }[];
  layers: { name: string; kind: string; outShape: number[]; params: number; mflops: number }[];
  /** Multiply-adds × 2, convolutions only (BN, ReLU, resizes are < 1 %), per image. */
  flopsPerImage: number;
  gflopsPerImage: number;
  /** float32 outputs of every traced layer (conv, BN, pooling, resize) at the batch size, i.e. what
   * a training step keeps for the backward pass, ReLU outputs and concatenations not counted. */
  activationMB: number;
  weightsMB: number;
}

export function summarizeModel(model: MultiTaskModel, size: [number, number], batch: number): ModelSummary {
  const [height, width] = size;
  const { layers } = tf.tidy(() => {
    const x = tf.zeros([1, height, width, 3]) as tf.Tensor4D;
    const traced = traceLayers(() => model.forward(x, false));
    return { layers: traced.layers } as { layers: TracedLayer[] } & tf.TensorContainerObject;
  });
  const perImageMacs = layers.reduce((a, l) => a + l.macs, 0);
  const activationValues = layers.reduce((a, l) => a + l.outShape.reduce((p, d) => p * d, 1), 0) * batch;
  const { total, ...parts } = model.paramCounts();
  let buffers = 0;
  const trainable = model.trainableVariables();
  for (const [name, v] of model.stateVariables()) if (!trainable.has(name)) buffers += v.size;
  return {
    arch: model.config.arch,
    encoder: model.config.encoder,
    input: { batch, height, width },
    params: total,
    parts,
    buffers,
    outputStride: model.encoder.outputStride,
    features: model.encoder.features.map((f) => ({
      ...f,
      height: Math.ceil(height / f.stride),
      width: Math.ceil(width / f.stride),
    })),
    layers: layers.map((l) => ({
      name: l.name,
      kind: l.kind,
      outShape: [batch, ...l.outShape.slice(1)],
      params: l.params,
      mflops: (2 * l.macs) / 1e6,
    })),
    flopsPerImage: 2 * perImageMacs,
    gflopsPerImage: (2 * perImageMacs) / 1e9,
    activationMB: (4 * activationValues) / 2 ** 20,
    weightsMB: (4 * (total + buffers)) / 2 ** 20,
  };
}

/** The summary as a readable table. */
export function formatSummary(s: ModelSummary): string {
  const pad = (v: string, n: number) => v.padEnd(n);
  const num = (n: number) => n.toLocaleString('en-US');
  const lines: string[] = [];
  lines.push(
    `${s.arch} / ${s.encoder}, input ${s.input.batch}×${s.input.height}×${s.input.width}×3, output stride ${s.outputStride}`,
  );
  lines.push('');
  const nameWidth = Math.max(24, ...s.layers.map((l) => l.name.length + 2));
  lines.push(
    `${pad('layer', nameWidth)}${pad('kind', 18)}${pad('output', 22)}${pad('params', 12)}MFLOPs/img`,
  );
  for (const l of s.layers)
    lines.push(
      `${pad(l.name, nameWidth)}${pad(l.kind, 18)}${pad(`[${l.outShape.join(', ')}]`, 22)}` +
        `${pad(l.params ? num(l.params) : '', 12)}${l.mflops ? l.mflops.toFixed(1) : ''}`,
    );
  lines.push('');
  lines.push('features');
  for (const f of s.features)
    lines.push(
      `  ${pad(f.name, 8)} 1/${pad(String(f.stride), 4)} ${pad(`${f.channels} ch`, 9)} ${f.height}×${f.width}`,
    );
  lines.push('');
  lines.push('parameters');
  for (const [part, n] of Object.entries(s.parts)) lines.push(`  ${pad(part, 10)} ${num(n).padStart(12)}`);
  lines.push(
    `  ${pad('total', 10)} ${num(s.params).padStart(12)}   (+ ${num(s.buffers)} BN running statistics)`,
  );
  lines.push('');
  lines.push(
    `FLOPs per image      ${s.gflopsPerImage.toFixed(2)} GFLOP (2 × multiply-adds of the convolutions)`,
  );
  lines.push(
    `activations          ${s.activationMB.toFixed(0)} MB float32 at batch ${s.input.batch}, kept for the backward pass (estimate)`,
  );
  lines.push(`weights              ${s.weightsMB.toFixed(1)} MB float32`);
  return lines.join('\n');
}
