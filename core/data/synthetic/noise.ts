// Cheap deterministic 2-D noise for textures (hashed lattice, smoothly interpolated). Pure functions of
// their inputs, so a texture depends only on world coordinates and the scene seed.

/** Hash of an integer lattice point to [0, 1). */
export function hash2(ix: number, iy: number, seed: number): number {
  let h = Math.imul(ix, 0x27d4eb2d) ^ Math.imul(iy, 0x165667b1) ^ Math.imul(seed, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** Value noise in [0, 1) with smoothstep interpolation; feature size 1 in x/y units. */
export function valueNoise(x: number, y: number, seed: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  const fx = x - ix;
  const fy = y - iy;
  const sx = fx * fx * (3 - 2 * fx);
  const sy = fy * fy * (3 - 2 * fy);
  const a = hash2(ix, iy, seed);
  const b = hash2(ix + 1, iy, seed);
  const c = hash2(ix, iy + 1, seed);
  const d = hash2(ix + 1, iy + 1, seed);
  return a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy;
}

/** Two octaves of value noise, in [0, 1). */
export function fractalNoise(x: number, y: number, seed: number): number {
  return 0.65 * valueNoise(x, y, seed) + 0.35 * valueNoise(2.7 * x + 11.3, 2.7 * y + 5.1, seed + 1);
}
