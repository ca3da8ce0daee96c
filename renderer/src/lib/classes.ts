// The 19 Cityscapes train-id classes with their standard colours (SPEC §2). 255 = ignore.
export const CLASSES: readonly { id: number; name: string; color: [number, number, number] }[] = [
  { id: 0, name: 'road', color: [128, 64, 128] },
  { id: 1, name: 'sidewalk', color: [244, 35, 232] },
  { id: 2, name: 'building', color: [70, 70, 70] },
  { id: 3, name: 'wall', color: [102, 102, 156] },
  { id: 4, name: 'fence', color: [190, 153, 153] },
  { id: 5, name: 'pole', color: [153, 153, 153] },
  { id: 6, name: 'traffic light', color: [250, 170, 30] },
  { id: 7, name: 'traffic sign', color: [220, 220, 0] },
  { id: 8, name: 'vegetation', color: [107, 142, 35] },
  { id: 9, name: 'terrain', color: [152, 251, 152] },
  { id: 10, name: 'sky', color: [70, 130, 180] },
  { id: 11, name: 'person', color: [220, 20, 60] },
  { id: 12, name: 'rider', color: [255, 0, 0] },
  { id: 13, name: 'car', color: [0, 0, 142] },
  { id: 14, name: 'truck', color: [0, 0, 70] },
  { id: 15, name: 'bus', color: [0, 60, 100] },
  { id: 16, name: 'train', color: [0, 80, 100] },
  { id: 17, name: 'motorcycle', color: [0, 0, 230] },
  { id: 18, name: 'bicycle', color: [119, 11, 32] },
];
export const IGNORE_ID = 255;

export const rgbToHex = ([r, g, b]: readonly number[]) =>
  `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;

export function hexToRgb(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) throw new Error(`not a #rrggbb colour: "${hex}"`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

export const DEFAULT_CLASS_COLORS: string[] = CLASSES.map((c) => rgbToHex(c.color));
