// What a synthetic scene is made of: a camera, a ground plane split into road / sidewalk / terrain,
// a sky, and solid primitives (axis-aligned boxes and spheres in road coordinates, see camera.ts),
// each with a class and a material. Sampling a street scene lives in streetSceneSampler.ts; drawing it in render.ts.
import type { Camera } from './camera.ts';

export type Color = [number, number, number];

/** How a surface is textured (textures.ts). */
export type TextureKind =
  | 'plain'
  | 'facade'
  | 'panels'
  | 'slats'
  | 'leaves'
  | 'vehicle'
  | 'bus'
  | 'person'
  | 'skin'
  | 'lamp'
  | 'sign'
  | 'metal';

export interface Material {
  texture: TextureKind;
  color: Color;
  /** Secondary colour (windows, trousers, lamp…). */
  color2: Color;
  /** Texture scale / period in metres, meaning per texture. */
  period: number;
  /** Per-material noise seed. */
  seed: number;
}

export interface Box {
  shape: 'box';
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  z0: number;
  z1: number;
  cls: number;
  material: Material;
}

export interface Sphere {
  shape: 'sphere';
  cx: number;
  cy: number;
  cz: number;
  r: number;
  /** Leafy outline: border pixels dropped by noise. */
  ragged: boolean;
  cls: number;
  material: Material;
}

export type Primitive = Box | Sphere;

export interface Ground {
  roadLeft: number;
  roadRight: number;
  /** Sidewalk widths beside the road; 0 = terrain right at the road edge. */
  sidewalkLeft: number;
  sidewalkRight: number;
  /** Lane marking lines (road-coordinate X') and whether they are dashed. */
  markings: Array<{ x: number; dashed: boolean }>;
  road: Material;
  sidewalk: Material;
  terrain: Material;
}

export interface Lighting {
  /** Global brightness multiplier and colour tint (white balance). */
  brightness: number;
  tint: Color;
  /** Which box side faces the sun: +1 = faces with normal +X' are lit. */
  sunSide: 1 | -1;
  /** Haze: colour mixed in with weight 1 − exp(−Z / fogDistance). */
  fogDistance: number;
  haze: Color;
  /** Per-pixel sensor noise amplitude (0–255 scale). */
  noise: number;
}

export interface Sky {
  top: Color;
  horizon: Color;
  cloudiness: number;
}

export interface Scene {
  camera: Camera;
  seed: number;
  ground: Ground;
  sky: Sky;
  lighting: Lighting;
  primitives: Primitive[];
  /** Ground rectangles (road coordinates) darkened as contact shadows under vehicles. */
  shadows: Array<{ x0: number; x1: number; z0: number; z1: number }>;
}
