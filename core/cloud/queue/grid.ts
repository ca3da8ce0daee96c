// Experiment grids: `--grid optimizer.lr=1e-4,1e-3 --grid train.batchSize=4,8` → the cartesian
// product as lists of `key=value` overrides (each resolved into a queue item's config), in a stable order.
import { CloudError } from '../errors.ts';

export function parseGrid(specs: string[]): string[][] {
  const axes = specs.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new CloudError('bad-config', `--grid ${spec}: expected key=v1,v2,…`);
    const key = spec.slice(0, eq).trim();
    const values = spec
      .slice(eq + 1)
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    if (!values.length) throw new CloudError('bad-config', `--grid ${spec}: no values for ${key}`);
    return values.map((v) => `${key}=${v}`);
  });
  return axes.reduce<string[][]>(
    (acc, axis) => acc.flatMap((prefix) => axis.map((kv) => [...prefix, kv])),
    [[]],
  );
}

/** A readable run-name suffix for a grid point: `lr1e-4-batchSize8`. */
export const gridName = (sets: string[]): string =>
  sets
    .map((kv) => {
      const [k, v] = kv.split('=');
      return `${k.split('.').pop()}${v}`;
    })
    .join('-');
