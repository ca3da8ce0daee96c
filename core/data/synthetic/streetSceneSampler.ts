// Sampling a street scene: road with lanes and markings, sidewalks or verges, building blocks, walls,
// fences and trees along both sides, a far skyline or tree line, poles with signs and traffic lights,
// vehicles in lanes and parked, pedestrians and cyclists. Sizes are in metres, so scenes look the
// same at every image size; all randomness comes from the given Rng.
import { C } from '../../api/classes.ts';
import type { Rng } from '../random.ts';
import type { Camera } from './camera.ts';
import type { Box, Color, Material, Primitive, Scene, TextureKind } from './scene.ts';

const clamp255 = (v: number): number => Math.max(0, Math.min(255, v));

function jitter(rng: Rng, c: Color, amount: number): Color {
  const shade = rng.uniform(1 - amount, 1 + amount);
  return [0, 1, 2].map((i) => clamp255(c[i] * shade + rng.uniform(-amount, amount) * 60)) as Color;
}

function material(rng: Rng, texture: TextureKind, color: Color, color2: Color, period = 1): Material {
  return { texture, color, color2, period, seed: rng.int(0, 1 << 30) };
}

const FACADE_COLORS: Color[] = [
  [150, 150, 150],
  [190, 180, 160],
  [210, 205, 195],
  [150, 85, 65],
  [95, 95, 100],
  [120, 140, 160],
  [175, 150, 120],
];
const VEHICLE_COLORS: Color[] = [
  [200, 200, 205],
  [30, 30, 35],
  [120, 120, 125],
  [160, 30, 30],
  [30, 60, 140],
  [230, 230, 230],
  [60, 90, 60],
  [200, 170, 60],
];
const CLOTHES: Color[] = [
  [40, 40, 60],
  [180, 40, 40],
  [220, 220, 220],
  [60, 90, 150],
  [90, 70, 50],
  [30, 30, 30],
  [200, 160, 60],
];

function box(
  x0: number,
  x1: number,
  y0: number,
  y1: number,
  z0: number,
  z1: number,
  cls: number,
  m: Material,
): Box {
  return { shape: 'box', x0: Math.min(x0, x1), x1: Math.max(x0, x1), y0, y1, z0, z1, cls, material: m };
}

export function sampleCamera(rng: Rng, width: number, height: number): Camera {
  return {
    width,
    height,
    focal: width * rng.uniform(0.62, 0.8),
    cx: width / 2,
    cy: height * rng.uniform(0.36, 0.46),
    heightM: rng.uniform(1.3, 1.8),
    slope: rng.uniform(-0.1, 0.1),
  };
}

/** Ground-relative helpers: y of a point `h` metres above the ground. */
const above = (cam: Camera, h: number): number => cam.heightM - h;

function addVehicle(rng: Rng, prims: Primitive[], cam: Camera, xc: number, z: number, cls: number): number {
  const color = jitter(rng, rng.pick(VEHICLE_COLORS), 0.12);
  const glass = jitter(rng, [40, 50, 60], 0.3);
  if (cls === C.car) {
    const w = rng.uniform(1.65, 1.95);
    const len = rng.uniform(3.8, 4.8);
    const h = rng.uniform(1.35, 1.65);
    const body = material(rng, 'vehicle', color, glass, 0.55);
    prims.push(box(xc - w / 2, xc + w / 2, above(cam, 0.95), above(cam, 0), z, z + len, cls, body));
    const cabin = material(rng, 'vehicle', color, glass, 10);
    prims.push(
      box(
        xc - w / 2 + 0.1,
        xc + w / 2 - 0.1,
        above(cam, h),
        above(cam, 0.95),
        z + 0.9,
        z + len - 1.1,
        cls,
        cabin,
      ),
    );
    return len;
  }
  if (cls === C.truck) {
    const w = rng.uniform(2.3, 2.5);
    const len = rng.uniform(6, 9);
    const h = rng.uniform(2.8, 3.6);
    const cargo = material(
      rng,
      'panels',
      jitter(rng, rng.pick(VEHICLE_COLORS), 0.1),
      color,
      rng.uniform(0.8, 2),
    );
    prims.push(box(xc - w / 2, xc + w / 2, above(cam, h), above(cam, 0.3), z, z + len - 2, cls, cargo));
    const cab = material(rng, 'vehicle', color, glass, 0.9);
    prims.push(
      box(xc - w / 2, xc + w / 2, above(cam, h * 0.75), above(cam, 0), z + len - 2, z + len, cls, cab),
    );
    prims.push(
      box(xc - w / 2 + 0.2, xc + w / 2 - 0.2, above(cam, 0.3), above(cam, 0), z, z + len - 2, cls, cab),
    );
    return len;
  }
  // bus
  const w = rng.uniform(2.45, 2.6);
  const len = rng.uniform(10, 13);
  const h = rng.uniform(3, 3.4);
  prims.push(
    box(
      xc - w / 2,
      xc + w / 2,
      above(cam, h),
      above(cam, 0),
      z,
      z + len,
      cls,
      material(rng, 'bus', color, glass, h),
    ),
  );
  return len;
}

function addPerson(
  rng: Rng,
  prims: Primitive[],
  cam: Camera,
  x: number,
  z: number,
  cls: number,
  base = 0,
): void {
  const h = rng.uniform(1.5, 1.9) * (cls === C.rider ? 0.55 : 1);
  const w = rng.uniform(0.4, 0.55);
  const clothes = material(
    rng,
    'person',
    jitter(rng, rng.pick(CLOTHES), 0.15),
    jitter(rng, rng.pick(CLOTHES), 0.15),
    cls === C.rider ? 0 : 0.45,
  );
  const top = base + h;
  prims.push(box(x - w / 2, x + w / 2, above(cam, top), above(cam, base), z, z + 0.3, cls, clothes));
  const skin = material(
    rng,
    'skin',
    jitter(
      rng,
      rng.pick<Color>([
        [225, 180, 150],
        [160, 110, 80],
        [100, 70, 50],
      ]),
      0.1,
    ),
    [40, 30, 20],
  );
  prims.push({
    shape: 'sphere',
    cx: x,
    cy: above(cam, top + 0.13),
    cz: z + 0.15,
    r: 0.13,
    ragged: false,
    cls,
    material: skin,
  });
}

function addCyclist(rng: Rng, prims: Primitive[], cam: Camera, x: number, z: number): void {
  const motor = rng.chance(0.3);
  const frame = material(rng, 'metal', jitter(rng, rng.pick(VEHICLE_COLORS), 0.2), [20, 20, 20], 0.3);
  const w = motor ? 0.5 : 0.12;
  prims.push(
    box(
      x - w / 2,
      x + w / 2,
      above(cam, motor ? 1.1 : 1.0),
      above(cam, 0),
      z,
      z + (motor ? 2.0 : 1.7),
      motor ? C.motorcycle : C.bicycle,
      frame,
    ),
  );
  addPerson(rng, prims, cam, x, z + 0.6, C.rider, motor ? 0.6 : 0.85);
}

function addTree(rng: Rng, prims: Primitive[], cam: Camera, x: number, z: number, leaves: Material): void {
  const h = rng.uniform(3, 8);
  const r = rng.uniform(1.5, 3.2);
  const trunk = material(rng, 'plain', jitter(rng, [90, 70, 50], 0.2), [0, 0, 0]);
  const tw = rng.uniform(0.2, 0.4);
  prims.push(
    box(x - tw / 2, x + tw / 2, above(cam, h), above(cam, 0), z - tw / 2, z + tw / 2, C.vegetation, trunk),
  );
  prims.push({
    shape: 'sphere',
    cx: x,
    cy: above(cam, h + r * 0.6),
    cz: z,
    r,
    ragged: true,
    cls: C.vegetation,
    material: leaves,
  });
}

function addPole(rng: Rng, prims: Primitive[], cam: Camera, x: number, z: number, side: number): void {
  const h = rng.uniform(4, 8);
  const pw = rng.uniform(0.12, 0.22);
  const metal = material(rng, 'metal', jitter(rng, [130, 130, 125], 0.25), [60, 60, 60], 0.5);
  prims.push(box(x - pw / 2, x + pw / 2, above(cam, h), above(cam, 0), z, z + pw, C.pole, metal));
  const r = rng.next();
  if (r < 0.35) {
    // A sign facing the traffic, beside the pole on the road side.
    const s = rng.uniform(0.5, 0.8);
    const hs = rng.uniform(2.0, Math.min(3.2, h - 0.3));
    const face = material(
      rng,
      'sign',
      rng.pick<Color>([
        [200, 30, 30],
        [30, 70, 170],
        [230, 200, 30],
        [235, 235, 235],
      ]),
      [240, 240, 240],
    );
    const xs = x - side * (pw / 2 + s / 2);
    prims.push(
      box(xs - s / 2, xs + s / 2, above(cam, hs + s), above(cam, hs), z - 0.05, z, C.trafficSign, face),
    );
  } else if (r < 0.6) {
    // A traffic light at the top, sometimes on an arm over the road.
    const arm = rng.chance(0.5) ? rng.uniform(2, 5) : 0;
    const xl = x - side * (arm + pw);
    if (arm) prims.push(box(x, xl, above(cam, h), above(cam, h - 0.15), z, z + 0.15, C.pole, metal));
    const lamp = material(
      rng,
      'lamp',
      jitter(rng, [35, 35, 30], 0.2),
      rng.pick<Color>([
        [230, 40, 30],
        [240, 180, 30],
        [40, 220, 90],
      ]),
      0.3,
    );
    prims.push(
      box(
        xl - 0.17,
        xl + 0.17,
        above(cam, h + (arm ? -0.15 : 0.9)),
        above(cam, h - (arm ? 1.05 : 0)),
        z - 0.3,
        z,
        C.trafficLight,
        lamp,
      ),
    );
  }
}

/** Blocks, walls, fences and trees along one side of the street, starting at `edge` (outer sidewalk edge). */
function addStreetSide(
  rng: Rng,
  prims: Primitive[],
  cam: Camera,
  side: 1 | -1,
  edge: number,
  verge: boolean,
): void {
  const leaves = material(
    rng,
    'leaves',
    jitter(rng, [70, 110, 45], 0.2),
    jitter(rng, [40, 70, 30], 0.2),
    0.35,
  );
  const zMax = rng.uniform(60, 170);
  let z = rng.uniform(-8, 6);
  const out = (d: number): number => edge + side * d;
  while (z < zMax) {
    const r = rng.next();
    let len;
    if (r < 0.55) {
      len = rng.uniform(8, 35);
      const setback = verge ? rng.uniform(2, 8) : rng.uniform(0, 3);
      const h = rng.uniform(6, 28);
      const facade = material(
        rng,
        'facade',
        jitter(rng, rng.pick(FACADE_COLORS), 0.12),
        jitter(rng, [45, 55, 70], 0.4),
        rng.uniform(2.8, 3.8),
      );
      prims.push(
        box(out(setback), out(setback + 20), above(cam, h), above(cam, 0), z, z + len, C.building, facade),
      );
    } else if (r < 0.67) {
      len = rng.uniform(5, 20);
      const at = rng.uniform(0, 1.5);
      const wall = material(
        rng,
        'panels',
        jitter(rng, [165, 160, 150], 0.2),
        [110, 110, 105],
        rng.uniform(1, 3),
      );
      prims.push(
        box(out(at), out(at + 0.4), above(cam, rng.uniform(1, 3.5)), above(cam, 0), z, z + len, C.wall, wall),
      );
    } else if (r < 0.77) {
      len = rng.uniform(5, 20);
      const at = rng.uniform(0, 1.5);
      const fence = material(
        rng,
        'slats',
        jitter(
          rng,
          rng.pick<Color>([
            [140, 110, 80],
            [150, 155, 160],
          ]),
          0.2,
        ),
        [60, 60, 60],
        rng.uniform(0.12, 0.3),
      );
      prims.push(
        box(
          out(at),
          out(at + 0.08),
          above(cam, rng.uniform(1, 2)),
          above(cam, 0),
          z,
          z + len,
          C.fence,
          fence,
        ),
      );
    } else {
      len = rng.uniform(8, 25);
      for (let zt = z + rng.uniform(0, 3); zt < z + len; zt += rng.uniform(4, 9)) {
        addTree(rng, prims, cam, out(rng.uniform(0.8, 4)), zt, leaves);
      }
      if (rng.chance(0.5)) {
        prims.push(
          box(
            out(0.3),
            out(1.3),
            above(cam, rng.uniform(0.6, 1.5)),
            above(cam, 0),
            z,
            z + len,
            C.vegetation,
            leaves,
          ),
        );
      }
    }
    z += len + (rng.chance(0.4) ? rng.uniform(1, 8) : 0);
  }
}

function addSkyline(rng: Rng, prims: Primitive[], cam: Camera): void {
  const r = rng.next();
  if (r < 0.55) {
    const z = rng.uniform(70, 220);
    for (let x = -260; x < 260;) {
      const w = rng.uniform(10, 45);
      const facade = material(
        rng,
        'facade',
        jitter(rng, rng.pick(FACADE_COLORS), 0.15),
        jitter(rng, [45, 55, 70], 0.4),
        rng.uniform(2.8, 3.8),
      );
      const zb = z + rng.uniform(-10, 25);
      prims.push(
        box(x, x + w, above(cam, rng.uniform(8, 45)), above(cam, 0), zb, zb + 30, C.building, facade),
      );
      x += w;
    }
  } else if (r < 0.85) {
    const z = rng.uniform(80, 250);
    const leaves = material(
      rng,
      'leaves',
      jitter(rng, [60, 95, 45], 0.2),
      jitter(rng, [35, 60, 30], 0.2),
      1.5,
    );
    for (let x = -300; x < 300; x += rng.uniform(6, 14)) {
      const rad = rng.uniform(6, 14);
      prims.push({
        shape: 'sphere',
        cx: x,
        cy: above(cam, rng.uniform(0, rad * 0.8)),
        cz: z + rng.uniform(-10, 10),
        r: rad,
        ragged: true,
        cls: C.vegetation,
        material: leaves,
      });
    }
  }
}

export function sampleStreetScene(rng: Rng, width: number, height: number, seed: number): Scene {
  const camera = sampleCamera(rng, width, height);
  const roadLeft = -rng.uniform(1.8, 7);
  const roadRight = Math.max(roadLeft + 6, rng.uniform(1.8, 8));
  const sidewalkLeft = rng.chance(0.8) ? rng.uniform(1.5, 4.5) : 0;
  const sidewalkRight = rng.chance(0.8) ? rng.uniform(1.5, 4.5) : 0;
  const markings: Scene['ground']['markings'] = [];
  const dashed = rng.chance(0.8);
  for (let x = roadLeft + rng.uniform(3, 3.8); x < roadRight - 2; x += rng.uniform(3, 3.8))
    markings.push({ x, dashed });
  if (rng.chance(0.5))
    markings.push({ x: roadLeft + 0.3, dashed: false }, { x: roadRight - 0.3, dashed: false });
  const ground: Scene['ground'] = {
    roadLeft,
    roadRight,
    sidewalkLeft,
    sidewalkRight,
    markings,
    road: material(rng, 'plain', jitter(rng, [95, 95, 98], 0.25), [225, 225, 215], 1),
    sidewalk: material(
      rng,
      'plain',
      jitter(
        rng,
        rng.pick<Color>([
          [165, 160, 155],
          [170, 120, 110],
          [190, 180, 155],
        ]),
        0.15,
      ),
      [120, 115, 110],
      rng.uniform(0.4, 1),
    ),
    terrain: material(
      rng,
      'plain',
      jitter(
        rng,
        rng.pick<Color>([
          [100, 140, 70],
          [140, 135, 85],
          [85, 120, 60],
        ]),
        0.15,
      ),
      [70, 90, 50],
      1,
    ),
  };
  const skyKind = rng.next();
  const sky: Scene['sky'] =
    skyKind < 0.55
      ? {
          top: jitter(rng, [70, 120, 200], 0.1),
          horizon: jitter(rng, [185, 205, 230], 0.05),
          cloudiness: rng.uniform(0, 0.5),
        }
      : skyKind < 0.85
        ? {
            top: jitter(rng, [150, 155, 165], 0.1),
            horizon: jitter(rng, [205, 205, 210], 0.05),
            cloudiness: rng.uniform(0.3, 1),
          }
        : {
            top: jitter(rng, [70, 80, 140], 0.1),
            horizon: jitter(rng, [230, 170, 120], 0.08),
            cloudiness: rng.uniform(0, 0.4),
          };
  const lighting: Scene['lighting'] = {
    brightness: rng.uniform(0.7, 1.15),
    tint: [rng.uniform(0.92, 1.08), rng.uniform(0.95, 1.05), rng.uniform(0.9, 1.1)],
    sunSide: rng.chance(0.5) ? 1 : -1,
    fogDistance: rng.uniform(120, 600),
    haze: [...sky.horizon] as Color,
    noise: rng.uniform(2, 9),
  };
  const primitives: Primitive[] = [];
  const shadows: Scene['shadows'] = [];
  addSkyline(rng, primitives, camera);
  addStreetSide(rng, primitives, camera, -1, roadLeft - sidewalkLeft, sidewalkLeft === 0);
  addStreetSide(rng, primitives, camera, 1, roadRight + sidewalkRight, sidewalkRight === 0);

  for (const side of [-1, 1] as const) {
    const edge = side > 0 ? roadRight : roadLeft;
    for (let z = rng.uniform(3, 15); z < 90; z += rng.uniform(12, 35))
      addPole(rng, primitives, camera, edge + side * 0.4, z, side);
    const walk = side > 0 ? sidewalkRight : sidewalkLeft;
    if (walk > 0) {
      const people = rng.int(0, 4);
      for (let i = 0; i < people; i++) {
        addPerson(
          rng,
          primitives,
          camera,
          edge + side * rng.uniform(0.6, walk - 0.3),
          rng.uniform(4, 45),
          C.person,
        );
      }
    }
    if (rng.chance(0.45)) {
      // Parked cars along the kerb.
      for (let z = rng.uniform(4, 15); z < 70; z += rng.uniform(5.5, 14)) {
        const len = addVehicle(rng, primitives, camera, edge - side * 1.1, z, C.car);
        shadows.push({ x0: edge - side * 2.1, x1: edge - side * 0.1, z0: z - 0.2, z1: z + len + 0.2 });
        z += len;
      }
    }
  }
  // Moving traffic and cyclists in the lanes; nothing right in front of the camera.
  for (let xc = roadLeft + 1.9; xc < roadRight - 1.4; xc += 3.5) {
    for (let z = rng.uniform(6, 25); z < 110;) {
      const r = rng.next();
      if (r < 0.25) {
        z += rng.uniform(8, 30);
        continue;
      }
      const xj = xc + rng.uniform(-0.3, 0.3);
      const nearCamera = Math.abs(xj) < 2.5;
      if (nearCamera && z < 9) z = 9;
      if (r < 0.33) {
        addCyclist(rng, primitives, camera, xj + rng.uniform(-0.8, 0.8), z);
        z += 2 + rng.uniform(4, 25);
        continue;
      }
      const cls = r < 0.83 ? C.car : r < 0.92 ? C.truck : C.bus;
      const len = addVehicle(rng, primitives, camera, xj, z, cls);
      shadows.push({ x0: xj - 1.3, x1: xj + 1.3, z0: z - 0.2, z1: z + len + 0.2 });
      z += len + rng.uniform(4, 30);
    }
  }
  return { camera, seed, ground, sky, lighting, primitives, shadows };
}
