// A tiny module system in the spirit of torch.nn.Module: a module owns named parameters (trainable),
// named buffers (state that is not trained, e.g. BatchNorm running statistics) and named child
// modules; full names are dotted paths ("layer1.0.conv1.weight"), as in a PyTorch state_dict.
// tf.Variables get no tfjs name (tfjs names are global and must be unique across models).
import * as tf from '@tensorflow/tfjs-core';

export abstract class Module {
  /** Dotted path from the root model, set when the module is attached to a parent. */
  path = '';
  private readonly ownParams = new Map<string, tf.Variable>();
  private readonly ownBuffers = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module>();

  protected param(name: string, init: tf.Tensor): tf.Variable {
    const v = tf.variable(init, true);
    init.dispose();
    this.ownParams.set(name, v);
    return v;
  }

  protected buffer(name: string, init: tf.Tensor): tf.Variable {
    const v = tf.variable(init, false);
    init.dispose();
    this.ownBuffers.set(name, v);
    return v;
  }

  protected child<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    m.setPath(this.path ? `${this.path}.${name}` : name);
    return m;
  }

  private setPath(path: string): void {
    this.path = path;
    for (const [name, c] of this.children) c.setPath(`${path}.${name}`);
  }

  /** Trainable parameters by full name. */
  namedParameters(prefix = ''): Map<string, tf.Variable> {
    return this.collect(prefix, (m) => m.ownParams);
  }

  /** Buffers (running statistics) by full name. */
  namedBuffers(prefix = ''): Map<string, tf.Variable> {
    return this.collect(prefix, (m) => m.ownBuffers);
  }

  /** Number of trainable values (PyTorch's sum(p.numel() for p in parameters())). */
  paramCount(): number {
    let n = 0;
    for (const v of this.namedParameters().values()) n += v.size;
    return n;
  }

  dispose(): void {
    for (const v of this.ownParams.values()) v.dispose();
    for (const v of this.ownBuffers.values()) v.dispose();
    for (const c of this.children.values()) c.dispose();
  }

  private collect(prefix: string, own: (m: Module) => Map<string, tf.Variable>): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [name, v] of own(this)) out.set(prefix + name, v);
    for (const [name, c] of this.children)
      for (const [n, v] of c.collect(`${prefix}${name}.`, own)) out.set(n, v);
    return out;
  }
}
