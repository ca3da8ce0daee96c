// Config key paths: a nested config ↔ its leaves under dotted keys (`optimizer.lr`, the SPEC §11
// names the CLI's --set, the form, the run table and the config diff all use). Arrays are leaves
// (`model.dilation`). Environment-neutral.

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge of plain objects; arrays and scalars in `over` replace those in `base`. */
export function deepMerge<T>(base: T, over: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out as T;
}

/** `{ optimizer: { lr: 1 } }` → `{ 'optimizer.lr': 1 }`; anything but a plain object → `{}`. */
export function flattenConfig(config: unknown, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isPlainObject(config)) return out;
  for (const [k, v] of Object.entries(config)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v)) Object.assign(out, flattenConfig(v, key));
    else out[key] = v;
  }
  return out;
}

/** One dotted key and its value as a nested object: `('optimizer.lr', 1)` → `{ optimizer: { lr: 1 } }`. */
export const nestKey = (key: string, value: unknown): Record<string, unknown> =>
  key.split('.').reduceRight<unknown>((acc, k) => ({ [k]: acc }), value) as Record<string, unknown>;

/** `{ 'optimizer.lr': 1, model: { aspp: true } }` → one nested object (later keys win). */
export function nestConfig(flat: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flat)) out = deepMerge(out, nestKey(k, v));
  return out;
}

/** Read a dotted key from a config (for run tables, diffs, CSV); undefined when absent. */
export function getKey(config: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((acc, k) => (isPlainObject(acc) ? acc[k] : undefined), config);
}
