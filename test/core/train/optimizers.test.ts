import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { Optimizer, gradsByParamName } from '../../../core/train/optimizers.ts';

// torch.optim.SGD(momentum=0.9, weight_decay=0.01) and torch.optim.Adam(eps=1e-8, weight_decay=0.01),
// 4 steps with the LR changed before each (test/fixtures/torch/make_reference.py).
const ref = JSON.parse(
  readFileSync(new URL('../../fixtures/torch/reference.json', import.meta.url), 'utf8'),
).optim;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function setup() {
  return new Map<string, tf.Variable>([
    ['a', tf.variable(tf.tensor2d(ref.a0, [2, 3]))],
    ['b', tf.variable(tf.tensor1d(ref.b0))],
  ]);
}
const gradsAt = (i: number) =>
  new Map<string, tf.Tensor>([
    ['a', tf.tensor2d(ref.grads[i][0], [2, 3])],
    ['b', tf.tensor1d(ref.grads[i][1])],
  ]);
const make = (name: 'sgd' | 'adam') =>
  new Optimizer({ name, lr: ref.lrs[0], momentum: 0.9, weightDecay: 0.01, eps: 1e-8 });
const expectParams = (params: Map<string, tf.Variable>, expected: number[][]) => {
  const a = params.get('a')!.dataSync();
  const b = params.get('b')!.dataSync();
  expected[0]!.forEach((v, i) => expect(a[i]).toBeCloseTo(v, 6));
  expected[1]!.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 6));
};

describe('optimizers with PyTorch semantics', () => {
  for (const name of ['sgd', 'adam'] as const)
    it(`${name}: 4 steps with coupled weight decay and a per-step LR match torch.optim`, () => {
      const params = setup();
      const opt = make(name);
      for (let i = 0; i < 4; i++) {
        opt.lr = ref.lrs[i];
        const g = gradsAt(i);
        opt.step(params, g);
        tf.dispose([...g.values()]);
        expectParams(params, ref[name][i]);
      }
      expect(opt.stepCount).toBe(4);
      opt.dispose();
    });

  for (const name of ['sgd', 'adam'] as const)
    it(`${name}: state saved after 2 steps and restored into a new optimizer continues identically`, () => {
      const params = setup();
      const opt = make(name);
      for (let i = 0; i < 2; i++) {
        opt.lr = ref.lrs[i];
        opt.step(params, gradsAt(i));
      }
      const state = opt.getState();
      expect([...state.keys()].sort()).toEqual(
        name === 'sgd'
          ? ['momentum_buffer/a', 'momentum_buffer/b', 'step']
          : ['exp_avg/a', 'exp_avg/b', 'exp_avg_sq/a', 'exp_avg_sq/b', 'step'],
      );
      // Round-trip through plain arrays, as a checkpoint file does.
      const saved = new Map(
        [...state].map(([k, t]) => [k, { shape: t.shape, data: Array.from(t.dataSync()) }]),
      );
      tf.dispose([...state.values()]);
      opt.dispose();
      const resumed = make(name);
      const restored = new Map([...saved].map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
      resumed.setState(restored);
      tf.dispose([...restored.values()]);
      expect(resumed.stepCount).toBe(2);
      for (let i = 2; i < 4; i++) {
        resumed.lr = ref.lrs[i];
        resumed.step(params, gradsAt(i));
      }
      expectParams(params, ref[name][3]);
      resumed.dispose();
    });

  it('keeps the tensor count constant across steps', () => {
    const params = setup();
    const opt = make('adam');
    const g = gradsAt(0);
    opt.step(params, g);
    const n = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) opt.step(params, g);
    expect(tf.memory().numTensors).toBe(n);
  });

  it('rejects foreign or malformed state and mismatched gradients', () => {
    const opt = make('sgd');
    expect(() => opt.setState(new Map([['exp_avg/a', tf.zeros([1])]]))).toThrow(/does not belong to sgd/);
    expect(() => opt.setState(new Map())).toThrow(/no "step"/);
    const params = setup();
    expect(() => opt.step(params, new Map([['a', tf.zeros([3])]]))).toThrow(
      /gradient of "a" has shape \[3\]/,
    );
  });

  it('re-keys tf.variableGrads output by parameter name and skips parameters without a gradient', () => {
    const params = setup();
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.mul(params.get('a')!, 2)) as tf.Scalar,
      [params.get('a')!],
    );
    const named = gradsByParamName(params, grads);
    expect([...named.keys()]).toEqual(['a']);
    const b0 = Array.from(params.get('b')!.dataSync());
    const opt = new Optimizer({ name: 'sgd', lr: 0.5, momentum: 0 });
    opt.step(params, named);
    expect(Array.from(params.get('a')!.dataSync())).toEqual(
      ref.a0.map((v: number) => Math.fround(v - 0.5 * 2)),
    );
    expect(Array.from(params.get('b')!.dataSync())).toEqual(b0);
  });
});
