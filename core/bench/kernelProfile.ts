// Per-kernel time of a training step: every kernel registered for a backend is wrapped with a timer
// while a profile runs. Kernels that are composed of other kernels (the runtime's conv gradients)
// are charged their exclusive time, so the total adds up to the time spent in kernels. wasm and cpu
// kernels run synchronously, so wall time around kernelFunc is the kernel's cost.
import * as tf from '@tensorflow/tfjs-core';

export interface KernelTime {
  kernel: string;
  calls: number;
  /** Exclusive milliseconds (time inside nested kernels is charged to them). */
  ms: number;
  /** Inclusive milliseconds (with nested kernels): differs for composed kernels only. */
  inclusiveMs: number;
}

export interface KernelProfile<T> {
  result: T;
  wallMs: number;
  kernelMs: number;
  kernels: KernelTime[];
}

/** Runs `fn` with every kernel of `backendName` timed; restores the kernels afterwards. */
export async function profileKernels<T>(
  backendName: string,
  fn: () => Promise<T>,
): Promise<KernelProfile<T>> {
  const originals = tf.getKernelsForBackend(backendName);
  const totals = new Map<string, KernelTime>();
  const stack: number[] = []; // nested kernels' time, per open kernel
  for (const k of originals) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, backendName);
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        stack.push(0);
        const t0 = performance.now();
        try {
          return inner(args);
        } finally {
          const spent = performance.now() - t0;
          const nested = stack.pop()!;
          if (stack.length) stack[stack.length - 1]! += spent;
          const row = totals.get(k.kernelName) ?? { kernel: k.kernelName, calls: 0, ms: 0, inclusiveMs: 0 };
          row.calls++;
          row.ms += spent - nested;
          row.inclusiveMs += spent;
          totals.set(k.kernelName, row);
        }
      },
    });
  }
  try {
    const t0 = performance.now();
    const result = await fn();
    const wallMs = performance.now() - t0;
    const kernels = [...totals.values()].sort((a, b) => b.ms - a.ms);
    return { result, wallMs, kernelMs: kernels.reduce((a, k) => a + k.ms, 0), kernels };
  } finally {
    for (const k of originals) {
      tf.unregisterKernel(k.kernelName, backendName);
      tf.registerKernel(k);
    }
  }
}

/** A table for the console / BENCHMARKS.md: kernel, calls, ms, share of the wall time. */
export function formatProfile(p: KernelProfile<unknown>, top = 20): string {
  const rows = p.kernels
    .slice(0, top)
    .map(
      (k) =>
        `| ${k.kernel} | ${k.calls} | ${k.ms.toFixed(0)} | ${k.inclusiveMs.toFixed(0)} | ${((100 * k.ms) / p.wallMs).toFixed(1)} % |`,
    );
  return [
    `wall ${p.wallMs.toFixed(0)} ms, in kernels ${p.kernelMs.toFixed(0)} ms`,
    '| kernel | calls | ms (exclusive) | ms (inclusive) | share of step |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
