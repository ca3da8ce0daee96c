import { backend_util } from '@tensorflow/tfjs-core';

/** The padding argument tf.conv2d accepts: 'same' | 'valid' | number | [[0,0],[t,b],[l,r],[0,0]]. */
export type ConvPad = 'same' | 'valid' | number | backend_util.ExplicitPadding;
export type RoundingMode = 'floor' | 'round' | 'ceil' | undefined;

/** Resolved geometry of one NHWC conv2d: the same numbers the forward kernels use. */
export interface ConvGeometry {
  strides: [number, number];
  dilations: [number, number];
  /** Rows/columns of zeros the forward conv added before and after the input. */
  pad: { top: number; bottom: number; left: number; right: number };
  outHeight: number;
  outWidth: number;
}

export function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

export function convGeometry(
  xShape: [number, number, number, number], // NHWC
  filterShape: [number, number, number, number], // [KH, KW, Cin, Cout]
  strides: number | [number, number],
  pad: ConvPad,
  dilations: number | [number, number] = 1,
  dimRoundingMode?: RoundingMode,
): ConvGeometry {
  const info = backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
    pad: {
      top: info.padInfo.top,
      bottom: info.padInfo.bottom,
      left: info.padInfo.left,
      right: info.padInfo.right,
    },
    outHeight: info.outHeight,
    outWidth: info.outWidth,
  };
}
