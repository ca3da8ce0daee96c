// The 19 Cityscapes train ids used by Miniscapes (SPEC §2), their names and standard colours.
// Environment-neutral: the studio renderer imports these too.

export const NUM_CLASSES = 19;
/** Label value of pixels without ground truth (dropped by losses and metrics). */
export const IGNORE = 255;

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

/** True for a valid label value: a class id 0..18 or IGNORE. */
export const isValidLabel = (v: number): boolean => (v >= 0 && v < NUM_CLASSES) || v === IGNORE;

/** 256-entry palette for palette PNGs: the class colours, black elsewhere (IGNORE included). */
export function labelPalette(): number[][] {
  const palette: number[][] = [];
  for (let i = 0; i < 256; i++) palette.push(i < NUM_CLASSES ? [...CLASS_COLORS[i]] : [0, 0, 0]);
  return palette;
}
