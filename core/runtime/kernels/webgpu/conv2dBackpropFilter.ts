import * as tf from '@tensorflow/tfjs-core';
import { flatProgram, ints, release, run, workgroupProgram } from './program.ts';

/** dW rows (kh·kw·ci) and output channels per workgroup; rows of the reduction per step. */
const TILE = 32;
const STEP = 16;
/** Enough workgroups to fill a GPU; the reduction is split until there are about this many. */
const TARGET_WORKGROUPS = 256;
/** Each split still covers at least this many reduction rows (b, oh, ow). */
const MIN_ROWS_PER_SPLIT = 256;

/**
 * dW as a matrix product with an implicit im2col, reduced in shared-memory tiles:
 *
 *   dW[k, co] = Σ_r X[r, k] · dy[r, co],  k = (kh, kw, ci),  r = (b, oh, ow),
 *   X[r, k] = x[b, oh·sh − padTop + kh·dh, ow·sw − padLeft + kw·dw, ci]  (0 outside x)
 *
 * A workgroup of 8×8 threads owns a 32×32 tile of dW (4×4 per thread, kept in registers) and
 * walks its share of r in steps of 16, staging X and dy in workgroup memory. Each thread stages
 * one fixed k (and one co), so the k → (kh, kw, ci) division happens once per thread; adjacent
 * threads read adjacent channels (coalesced on a GPU). The r range is split across workgroups
 * (grid z) when dW alone has too few tiles to fill a GPU; the partial sums are added by a second
 * pass. tfjs's own kernel is one thread per dW element looping over every r.
 */
const CODE = `
  const TILE : i32 = ${TILE};
  const STEP : i32 = ${STEP};
  var<workgroup> xs : array<f32, ${STEP * TILE}>;
  var<workgroup> ds : array<f32, ${STEP * TILE}>;

  fn main() {
    let li = i32(localIndex);
    let k0 = i32(workgroupId.y) * TILE;
    let n0 = i32(workgroupId.x) * TILE;
    let rBegin = i32(workgroupId.z) * uniforms.rowsPerSplit;
    let rEnd = min(rBegin + uniforms.rowsPerSplit, uniforms.rows);

    // What this thread stages: column kk of both tiles, steps t = li / TILE + 2·j.
    let kk = li % TILE;
    let k = k0 + kk;
    let ci = k % uniforms.inChannels;
    let kw = (k / uniforms.inChannels) % uniforms.filterWidth;
    let kh = k / (uniforms.inChannels * uniforms.filterWidth);
    let kValid = k < uniforms.kSize;
    let rowOffset = kh * uniforms.dilationH - uniforms.padTop;
    let colOffset = kw * uniforms.dilationW - uniforms.padLeft;
    let n = n0 + kk;
    let nValid = n < uniforms.outChannels;
    let outPixels = uniforms.outHeight * uniforms.outWidth;

    let ty = i32(localId.y) * 4; // this thread's 4 rows of the tile
    let tx = i32(localId.x) * 4; // and its 4 columns
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);

    // A uniform trip count: WGSL requires the barriers below in uniform control flow.
    for (var step = 0; step < uniforms.rowsPerSplit / STEP; step = step + 1) {
      let r0 = rBegin + step * STEP;
      for (var t = li / TILE; t < STEP; t = t + 2) {
        let r = r0 + t;
        var xv = 0.0;
        var dv = 0.0;
        if (r < rEnd) {
          let b = r / outPixels;
          let p = r - b * outPixels;
          let oh = p / uniforms.outWidth;
          let ow = p - oh * uniforms.outWidth;
          let ih = oh * uniforms.strideH + rowOffset;
          let iw = ow * uniforms.strideW + colOffset;
          if (kValid && ih >= 0 && ih < uniforms.inHeight && iw >= 0 && iw < uniforms.inWidth) {
            xv = f32(x[((b * uniforms.inHeight + ih) * uniforms.inWidth + iw) * uniforms.inChannels + ci]);
          }
          if (nValid) {
            dv = f32(dy[r * uniforms.outChannels + n]);
          }
        }
        xs[t * TILE + kk] = xv;
        ds[t * TILE + kk] = dv;
      }
      workgroupBarrier();
      for (var t = 0; t < STEP; t = t + 1) {
        let a = t * TILE + ty;
        let d = t * TILE + tx;
        let dv = vec4<f32>(ds[d], ds[d + 1], ds[d + 2], ds[d + 3]);
        acc0 = acc0 + xs[a] * dv;
        acc1 = acc1 + xs[a + 1] * dv;
        acc2 = acc2 + xs[a + 2] * dv;
        acc3 = acc3 + xs[a + 3] * dv;
      }
      workgroupBarrier();
    }

    let base = i32(workgroupId.z) * uniforms.kSize;
    var rows = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
    for (var i = 0; i < 4; i = i + 1) {
      let kOut = k0 + ty + i;
      if (kOut < uniforms.kSize) {
        for (var j = 0; j < 4; j = j + 1) {
          let nOut = n0 + tx + j;
          if (nOut < uniforms.outChannels) {
            result[(base + kOut) * uniforms.outChannels + nOut] = rows[i][j];
          }
        }
      }
    }
  }`;

const UNIFORMS =
  'rows : i32, rowsPerSplit : i32, kSize : i32, outChannels : i32, inChannels : i32, ' +
  'filterWidth : i32, inHeight : i32, inWidth : i32, outHeight : i32, outWidth : i32, ' +
  'strideH : i32, strideW : i32, dilationH : i32, dilationW : i32, padTop : i32, padLeft : i32,';

const SUM_SPLITS = `
  var acc = 0.0;
  for (var s = 0; s < uniforms.splits; s = s + 1) {
    acc = acc + partial[s * uniforms.size + index];
  }
  setOutputAtIndex(index, acc);`;

/** How many slices the reduction over `rows` is cut into for a dW with `tiles` tiles. */
export function reductionSplits(tiles: number, rows: number): number {
  const wanted = Math.ceil(TARGET_WORKGROUPS / tiles);
  return Math.max(1, Math.min(wanted, Math.floor(rows / MIN_ROWS_PER_SPLIT), 65535));
}

export interface FilterGradAttrs extends tf.Conv2DBackpropFilterAttrs {
  /** Not a tfjs attribute: conv2dGradient passes the forward dilation (tfjs's kernel has none). */
  dilations?: number | [number, number];
}

/**
 * Conv2DBackpropFilter for `webgpu` (NHWC), dilation included: the tiled kernel above instead of
 * tfjs-backend-webgpu 4.22's one-thread-per-weight loop (a quarter of a SwiftShader training
 * step). NCHW goes to the stock kernel, which has no dilation.
 */
export function conv2dBackpropFilterWebGpu(): tf.KernelConfig {
  const stock = tf.getKernel(tf.Conv2DBackpropFilter, 'webgpu');
  if (!stock) throw new Error('tfjs-backend-webgpu registered no Conv2DBackpropFilter kernel');
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = args.attrs as unknown as FilterGradAttrs;
    const dilations = a.dilations ?? 1;
    if (a.dataFormat === 'NCHW') {
      if (dilations !== 1 && String(dilations) !== '1,1')
        throw new Error('Conv2DBackpropFilter on webgpu: dilated NCHW is not supported (use NHWC)');
      return stock.kernelFunc(args);
    }
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      a.filterShape,
      a.strides,
      dilations,
      a.pad,
      a.dimRoundingMode,
    );
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
    if (dy.shape.join() !== [batchSize, outHeight, outWidth, outChannels].join())
      throw new Error(`Conv2DBackpropFilter: dy has shape [${dy.shape}], the conv gives [${info.outShape}]`);
    const kSize = info.filterHeight * info.filterWidth * inChannels;
    const rows = batchSize * outHeight * outWidth;
    const tilesN = Math.ceil(outChannels / TILE);
    const tilesK = Math.ceil(kSize / TILE);
    const splits = reductionSplits(tilesN * tilesK, rows);
    const rowsPerSplit = Math.ceil(rows / splits / STEP) * STEP;
    const usedSplits = Math.ceil(rows / rowsPerSplit);
    const program = workgroupProgram({
      key: 'mtlConv2DFilterGrad',
      inputs: ['x', 'dy'],
      outputShape: usedSplits === 1 ? [...a.filterShape] : [usedSplits, kSize, outChannels],
      workgroupSize: [8, 8, 1],
      dispatch: [tilesN, tilesK, usedSplits],
      uniforms: UNIFORMS,
      code: CODE,
    });
    const uniforms = ints(
      rows,
      rowsPerSplit,
      kSize,
      outChannels,
      inChannels,
      info.filterWidth,
      inHeight,
      inWidth,
      outHeight,
      outWidth,
      info.strideHeight,
      info.strideWidth,
      info.dilationHeight,
      info.dilationWidth,
      info.padInfo.top,
      info.padInfo.left,
    );
    const dw = run(args.backend, program, [x, dy], 'float32', uniforms);
    if (usedSplits === 1) return dw;
    const sumSplits = flatProgram({
      key: 'mtlSumSplits',
      inputs: ['partial'],
      outputShape: [...a.filterShape],
      uniforms: 'splits : i32,',
      body: SUM_SPLITS,
    });
    const sum = run(args.backend, sumSplits, [dw], 'float32', ints(usedSplits));
    release(args.backend, dw);
    return sum;
  };
  return { kernelName: tf.Conv2DBackpropFilter, backendName: 'webgpu', kernelFunc };
}
