// Shared by the weights tests: a real-shaped torchvision-named encoder file with cheap
// deterministic values, and a local HTTP server with Range support that can cut a transfer.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeSafetensors, type NamedTensor } from '../../../core/model/safetensors.ts';
import type { EncoderName } from '../../../core/model/resnet.ts';
import { encoderShapes } from '../../../core/weights/verify.ts';

/** A torchvision state_dict of `encoder` (+ fc.* and num_batches_tracked, as torchvision saves). */
export function fakeTorchvisionFile(
  encoder: EncoderName,
  seed = 1,
  metadata: Record<string, string> = {},
  /** Shapes to get wrong on purpose. */
  reshape: Record<string, number[]> = {},
): Uint8Array {
  const tensors = new Map<string, NamedTensor>();
  let k = seed;
  for (const [name, realShape] of encoderShapes(encoder)) {
    const shape = reshape[name] ?? realShape;
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i += 97) data[i] = Math.sin(k++) * 0.1;
    if (name.endsWith('running_var')) data.fill(1);
    tensors.set(name, { dtype: 'float32', shape, data });
    if (name.endsWith('running_var'))
      tensors.set(name.replace('running_var', 'num_batches_tracked'), {
        dtype: 'int32',
        shape: [],
        data: Int32Array.from([7]),
      });
  }
  tensors.set('fc.weight', {
    dtype: 'float32',
    shape: [10, encoder === 'resnet50' ? 2048 : 512],
    data: new Float32Array(encoder === 'resnet50' ? 20480 : 5120),
  });
  tensors.set('fc.bias', { dtype: 'float32', shape: [10], data: new Float32Array(10) });
  return encodeSafetensors(tensors, metadata);
}

export interface WeightsServer {
  url: string;
  /** Range headers of every request, in order (null when none). */
  ranges: (string | null)[];
  /** Cut the next N responses after this many bytes of body. */
  cutAfter: { bytes: number; times: number };
  files: Map<string, Uint8Array>;
  close(): Promise<void>;
}

export async function startWeightsServer(): Promise<WeightsServer> {
  const files = new Map<string, Uint8Array>();
  const ranges: (string | null)[] = [];
  const cutAfter = { bytes: 0, times: 0 };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const body = files.get(req.url ?? '');
    ranges.push(req.headers.range ?? null);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) {
      start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'Content-Length': body.length - start,
        'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`,
      });
    } else res.writeHead(200, { 'Content-Length': body.length });
    const rest = body.subarray(start);
    if (cutAfter.times > 0 && rest.length > cutAfter.bytes) {
      cutAfter.times--;
      res.write(rest.subarray(0, cutAfter.bytes), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(rest);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ranges,
    cutAfter,
    files,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
