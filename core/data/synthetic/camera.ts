// Pinhole camera of the synthetic scenes. World axes: X right, Y down, Z forward (metres); the camera
// sits at the origin, the ground plane is Y = height. Scenes are laid out in "road coordinates"
// X' = X − slope·Z, so a road that veers left or right is still axis-aligned there: a pixel's ray
// is t·(rx, ry, 1) in road coordinates and t equals the depth Z of whatever it hits.

export interface Camera {
  width: number;
  height: number;
  /** Focal length in pixels. */
  focal: number;
  /** Principal point; cy is the horizon row. */
  cx: number;
  cy: number;
  /** Camera height above the ground, metres. */
  heightM: number;
  /** Road direction: X' = X − slope·Z. */
  slope: number;
}

/** Ray direction (rx, ry) of pixel column u / row v through the pixel centre, in road coordinates. */
export const rayX = (cam: Camera, u: number): number => (u + 0.5 - cam.cx) / cam.focal - cam.slope;
export const rayY = (cam: Camera, v: number): number => (v + 0.5 - cam.cy) / cam.focal;

/** Image column of road-coordinate point (x', z); row of (y, z). */
export const projectU = (cam: Camera, x: number, z: number): number =>
  cam.cx + cam.focal * (x / z + cam.slope) - 0.5;
export const projectV = (cam: Camera, y: number, z: number): number => cam.cy + (cam.focal * y) / z - 0.5;
