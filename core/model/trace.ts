// Layer tracing for `model summary`: while a trace is active, leaf layers report what they computed.
// Off by default, so forward passes pay one null check per layer.

export interface TracedLayer {
  name: string; // dotted module path, e.g. encoder.layer3.1.conv2
  kind: string; // e.g. "conv 3x3/1 d2", "bn", "maxpool 3x3/2", "resize"
  inShape: number[];
  outShape: number[];
  params: number;
  macs: number; // multiply-accumulates for the whole batch
}

let active: TracedLayer[] | null = null;

export function recordLayer(layer: TracedLayer): void {
  active?.push(layer);
}

export function tracing(): boolean {
  return active !== null;
}

/** Run `fn` and return every layer it reported, in execution order. */
export function traceLayers<T>(fn: () => T): { result: T; layers: TracedLayer[] } {
  const layers: TracedLayer[] = [];
  const previous = active;
  active = layers;
  try {
    return { result: fn(), layers };
  } finally {
    active = previous;
  }
}
