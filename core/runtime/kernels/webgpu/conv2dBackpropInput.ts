import * as tf from '@tensorflow/tfjs-core';
import { ints, run, workgroupProgram } from './program.ts';

/** dx rows (b, ih, iw) and input channels per workgroup; reduction terms (kh, kw, co) per step. */
const TILE = 32;
const STEP = 16;
/** Fewer input channels would leave most of a 32-channel tile idle (the stem's 3: 0.35× stock). */
const MIN_CHANNELS = 16;

/**
 * dx as a matrix product with an implicit gather of dy, in shared-memory tiles:
 *
 *   dx[m, ci] = Σ_k DY[m, k] · W[k, ci],  m = (b, ih, iw),  k = (kh, kw, co),
 *   DY[m, k] = dy[b, (ih + padTop − kh)/sh, (iw + padLeft − kw)/sw, co]  where both divide
 *              exactly and land inside dy, else 0
 *
 * The same 8×8-thread, 32×32-tile, 4×4-per-thread scheme as the weight gradient
 * (conv2dBackpropFilter.ts); the reduction (KH·KW·Co) is short, the rows (B·H·W) many, so no
 * split is needed. Adjacent threads stage adjacent output channels of dy (coalesced on a GPU).
 * tfjs's own kernel is one thread per dx element (4 channels when they divide by 4).
 */
const CODE = `
  const TILE : i32 = ${TILE};
  const STEP : i32 = ${STEP};
  var<workgroup> dys : array<f32, ${STEP * TILE}>;
  var<workgroup> ws : array<f32, ${STEP * TILE}>;

  fn main() {
    let li = i32(localIndex);
    let m0 = i32(workgroupId.x) * TILE;
    let n0 = i32(workgroupId.y) * TILE;
    let pixels = uniforms.inHeight * uniforms.inWidth;
    let rows = uniforms.batch * pixels;

    let tA = li % STEP; // the reduction term this thread stages of dy, for rows li / STEP + 4·j
    let cc = li % TILE; // the input channel it stages of the weights, for terms li / TILE + 2·j
    let n = n0 + cc;
    let ty = i32(localId.y) * 4; // this thread's 4 rows of the tile
    let tx = i32(localId.x) * 4; // and its 4 input channels
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);

    // The 8 rows (b, ih, iw) this thread stages, decoded once: b·outHeight (−1 past the last
    // row) and the padded position (ih + padTop, iw + padLeft).
    var rowBase : array<i32, 8>;
    var rowAt : array<i32, 8>;
    var colAt : array<i32, 8>;
    for (var j = 0; j < 8; j = j + 1) {
      let m = m0 + li / STEP + 4 * j;
      let b = m / pixels;
      let p = m - b * pixels;
      let ih = p / uniforms.inWidth;
      rowBase[j] = select(-1, b * uniforms.outHeight, m < rows);
      rowAt[j] = ih + uniforms.padTop;
      colAt[j] = p - ih * uniforms.inWidth + uniforms.padLeft;
    }

    // A uniform trip count: WGSL requires the barriers below in uniform control flow.
    for (var step = 0; step < uniforms.steps; step = step + 1) {
      let k0 = step * STEP;
      let k = k0 + tA;
      let co = k % uniforms.outChannels;
      let kw = (k / uniforms.outChannels) % uniforms.filterWidth;
      let kh = k / (uniforms.outChannels * uniforms.filterWidth);
      let kValid = k < uniforms.kSize;
      for (var j = 0; j < 8; j = j + 1) {
        let r = rowAt[j] - kh;
        let c = colAt[j] - kw;
        var v = 0.0;
        if (kValid && rowBase[j] >= 0 && r >= 0 && c >= 0 && r % uniforms.strideH == 0 && c % uniforms.strideW == 0) {
          let oh = r / uniforms.strideH;
          let ow = c / uniforms.strideW;
          if (oh < uniforms.outHeight && ow < uniforms.outWidth) {
            v = f32(dy[((rowBase[j] + oh) * uniforms.outWidth + ow) * uniforms.outChannels + co]);
          }
        }
        dys[tA * TILE + li / STEP + 4 * j] = v;
      }
      for (var t = li / TILE; t < STEP; t = t + 2) {
        let kb = k0 + t;
        var w = 0.0;
        if (kb < uniforms.kSize && n < uniforms.inChannels) {
          // weights [kh, kw, ci, co]: (kh·KW + kw) is kb / Co
          w = f32(weights[((kb / uniforms.outChannels) * uniforms.inChannels + n) * uniforms.outChannels
                          + kb % uniforms.outChannels]);
        }
        ws[t * TILE + cc] = w;
      }
      workgroupBarrier();
      for (var t = 0; t < STEP; t = t + 1) {
        let a = t * TILE + ty;
        let d = t * TILE + tx;
        let wv = vec4<f32>(ws[d], ws[d + 1], ws[d + 2], ws[d + 3]);
        acc0 = acc0 + dys[a] * wv;
        acc1 = acc1 + dys[a + 1] * wv;
        acc2 = acc2 + dys[a + 2] * wv;
        acc3 = acc3 + dys[a + 3] * wv;
      }
      workgroupBarrier();
    }

    var sums = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
    for (var i = 0; i < 4; i = i + 1) {
      let m = m0 + ty + i;
      if (m < rows) {
        for (var j = 0; j < 4; j = j + 1) {
          let ci = n0 + tx + j;
          if (ci < uniforms.inChannels) {
            result[m * uniforms.inChannels + ci] = sums[i][j];
          }
        }
      }
    }
  }`;

const UNIFORMS =
  'batch : i32, inHeight : i32, inWidth : i32, inChannels : i32, outHeight : i32, outWidth : i32, ' +
  'outChannels : i32, filterWidth : i32, kSize : i32, steps : i32, strideH : i32, strideW : i32, ' +
  'padTop : i32, padLeft : i32,';

/**
 * Conv2DBackpropInput for `webgpu` (NHWC, ≥ 16 input channels): the tiled kernel above. On
 * SwiftShader it is on par with tfjs's (0.8–1.1×: its 4-channel vector loop suits a CPU); it is
 * kept for a GPU, where shared-memory tiles are the usual win, but no GPU has measured it yet
 * (docs/BENCHMARKS.md). NCHW, fewer channels, and row counts beyond one dispatch dimension
 * (B·H·W > 65,535·32) go to the stock kernel. Dilated convs never get here: their dx is a
 * forward conv (conv2dGradient.ts).
 */
export function conv2dBackpropInputWebGpu(): tf.KernelConfig {
  const stock = tf.getKernel(tf.Conv2DBackpropInput, 'webgpu');
  if (!stock) throw new Error('tfjs-backend-webgpu registered no Conv2DBackpropInput kernel');
  const kernelFunc: tf.KernelFunc = (args) => {
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const [batch, inHeight, inWidth, inChannels] = a.inputShape;
    const rowTiles = Math.ceil((batch * inHeight * inWidth) / TILE);
    if (a.dataFormat === 'NCHW' || rowTiles > 65535 || inChannels < MIN_CHANNELS)
      return stock.kernelFunc(args);
    const info = tf.backend_util.computeConv2DInfo(
      a.inputShape,
      filter.shape as [number, number, number, number],
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const { outHeight, outWidth, outChannels } = info;
    if (dy.shape.join() !== [batch, outHeight, outWidth, outChannels].join())
      throw new Error(`Conv2DBackpropInput: dy has shape [${dy.shape}], the conv gives [${info.outShape}]`);
    const kSize = info.filterHeight * info.filterWidth * outChannels;
    const program = workgroupProgram({
      key: 'mtlConv2DInputGrad',
      inputs: ['dy', 'weights'],
      outputShape: [...a.inputShape],
      workgroupSize: [8, 8, 1],
      dispatch: [rowTiles, Math.ceil(inChannels / TILE), 1],
      uniforms: UNIFORMS,
      code: CODE,
    });
    const uniforms = ints(
      batch,
      inHeight,
      inWidth,
      inChannels,
      outHeight,
      outWidth,
      outChannels,
      info.filterWidth,
      kSize,
      Math.ceil(kSize / STEP),
      info.strideHeight,
      info.strideWidth,
      info.padInfo.top,
      info.padInfo.left,
    );
    return run(args.backend, program, [dy, filter], 'float32', uniforms);
  };
  return { kernelName: tf.Conv2DBackpropInput, backendName: 'webgpu', kernelFunc };
}
