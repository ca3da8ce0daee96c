// The 19 Cityscapes train ids used by Miniscapes (SPEC §2), their names and standard colours.
// Environment-neutral: the studio renderer imports these too (core/api).

export const NUM_CLASSES = 19;
/** Label value of pixels without ground truth (dropped by losses and metrics, drawn as a checkerboard). */
export const IGNORE_LABEL = 255;

export const CLASS_NAMES = [
  'road',
  'sidewalk',
  'building',
  'wall',
  'fence',
  'pole',
  'traffic light',
  'traffic sign',
  'vegetation',
  'terrain',
  'sky',
  'person',
  'rider',
  'car',
  'truck',
  'bus',
  'train',
  'motorcycle',
  'bicycle',
] as const;

export type Rgb = readonly [number, number, number];

export const CLASS_COLORS: readonly Rgb[] = [
  [128, 64, 128],
  [244, 35, 232],
  [70, 70, 70],
  [102, 102, 156],
  [190, 153, 153],
  [153, 153, 153],
  [250, 170, 30],
  [220, 220, 0],
  [107, 142, 35],
  [152, 251, 152],
  [70, 130, 180],
  [220, 20, 60],
  [255, 0, 0],
  [0, 0, 142],
  [0, 0, 70],
  [0, 60, 100],
  [0, 80, 100],
  [0, 0, 230],
  [119, 11, 32],
];

/** Class ids by name, for code that places objects of a class (the synthetic generator). */
export const C = {
  road: 0,
  sidewalk: 1,
  building: 2,
  wall: 3,
  fence: 4,
  pole: 5,
  trafficLight: 6,
  trafficSign: 7,
  vegetation: 8,
  terrain: 9,
  sky: 10,
  person: 11,
  rider: 12,
  car: 13,
  truck: 14,
  bus: 15,
  train: 16,
  motorcycle: 17,
  bicycle: 18,
} as const;

/** True for a valid label value: a class id 0..18 or IGNORE_LABEL. */
export const isValidLabel = (v: number): boolean => (v >= 0 && v < NUM_CLASSES) || v === IGNORE_LABEL;

/** 256-entry palette for palette PNGs: the class colours, black elsewhere (IGNORE_LABEL included). */
export function labelPalette(): number[][] {
  const palette: number[][] = [];
  for (let i = 0; i < 256; i++) palette.push(i < NUM_CLASSES ? [...CLASS_COLORS[i]] : [0, 0, 0]);
  return palette;
}

export const rgbToHex = ([r, g, b]: readonly number[]): string =>
  `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;

export function hexToRgb(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) throw new Error(`not a #rrggbb colour: "${hex}"`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/** The class table as one list (legends, colour pickers). */
export const CLASSES: readonly { id: number; name: string; color: Rgb }[] = CLASS_NAMES.map((name, id) => ({
  id,
  name,
  color: CLASS_COLORS[id]!,
}));

/** The standard colours as `#rrggbb` (the studio's default class colours). */
export const CLASS_COLORS_HEX: readonly string[] = CLASS_COLORS.map(rgbToHex);
