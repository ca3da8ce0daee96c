// The runtime kernels build their results from tf ops inside kernels; a training loop calls them
// thousands of times, so one repeated step must not leave tensors behind on either backend.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../core/runtime/index.ts';
import { BACKENDS, WEBGPU } from './tfUtil.ts';

describe('runtime kernels do not leak tensors', () => {
  for (const backend of BACKENDS) {
    it.skipIf(backend === 'webgpu' && !WEBGPU.ok)(
      `one atrous-conv + resize + maxpool + gather step, repeated, on ${backend}`,
      async () => {
        await initBackend(backend);
        const x = tf.randomNormal([2, 16, 12, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
        const w = tf.variable(tf.randomNormal([3, 3, 3, 4], 0, 0.1, 'float32', 2));
        const w2 = tf.variable(tf.randomNormal([3, 3, 4, 4], 0, 0.1, 'float32', 3));
        const opt = tf.train.sgd(0.01);
        const step = () =>
          opt.minimize(() => {
            const a = tf.relu(tf.conv2d(x, w as tf.Tensor4D, 1, 2, 'NHWC', 2)); // [2,16,12,4]
            const b = tf.conv2d(tf.maxPool(a, 3, 2, 'same'), w2 as tf.Tensor4D, 2, 'same'); // [2,4,3,4]
            const up = tf.image.resizeBilinear(b, [16, 12], false, true);
            const picked = tf.gather(tf.reshape(up, [-1, 4]), tf.tensor1d([0, 5, 5, 9], 'int32'));
            return tf.add(tf.mean(tf.square(up)), tf.mean(picked)) as tf.Scalar;
          });
        step();
        const before = tf.memory().numTensors;
        for (let i = 0; i < 3; i++) step();
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([x, w, w2]);
        opt.dispose();
      },
    );
  }
});
