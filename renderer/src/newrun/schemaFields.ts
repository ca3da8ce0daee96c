// The new-run form is generated from the one config schema (core/api/config/schema.ts): every leaf
// key becomes a field, grouped by its top-level section, with the input kind read off the zod type.
import { ExperimentConfig } from '../../../core/api/config/schema.ts';

export type FieldKind =
  | { type: 'enum'; options: string[] }
  | { type: 'boolean' }
  | { type: 'number'; int: boolean; nullable: boolean }
  | { type: 'string' }
  /** `false` or a string (model.pretrained: off, or a weights path/URL). */
  | { type: 'falseOrString' }
  | { type: 'boolTuple'; length: number }
  | { type: 'numberTuple'; length: number; int: boolean }
  | { type: 'numberArray'; int: boolean };

export interface FieldSpec {
  key: string;
  section: string;
  kind: FieldKind;
}

// Minimal view of zod 4 internals used for introspection.
interface ZodLike {
  def: {
    type: string;
    innerType?: ZodLike;
    shape?: Record<string, ZodLike>;
    entries?: Record<string, string>;
    options?: ZodLike[];
    items?: ZodLike[];
    element?: ZodLike;
    values?: unknown[];
  };
  shape?: Record<string, ZodLike>;
  isInt?: boolean;
}

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'readonly', 'catch']);

function unwrap(s: ZodLike): { s: ZodLike; nullable: boolean } {
  let nullable = false;
  while (WRAPPERS.has(s.def.type) || s.def.type === 'nullable') {
    if (s.def.type === 'nullable') nullable = true;
    s = s.def.innerType!;
  }
  return { s, nullable };
}

function kindOf(s: ZodLike, nullable: boolean, key: string): FieldKind {
  switch (s.def.type) {
    case 'enum':
      return { type: 'enum', options: Object.values(s.def.entries ?? {}) };
    case 'boolean':
      return { type: 'boolean' };
    case 'number':
      return { type: 'number', int: s.isInt === true, nullable };
    case 'string':
      return { type: 'string' };
    case 'union': {
      const types = (s.def.options ?? []).map((o) => o.def.type);
      if (types.includes('literal') && types.includes('string')) return { type: 'falseOrString' };
      break;
    }
    case 'tuple': {
      const items = (s.def.items ?? []).map((i) => unwrap(i).s);
      if (items.every((i) => i.def.type === 'boolean')) return { type: 'boolTuple', length: items.length };
      if (items.every((i) => i.def.type === 'number'))
        return { type: 'numberTuple', length: items.length, int: items.every((i) => i.isInt === true) };
      break;
    }
    case 'array': {
      const el = unwrap(s.def.element!).s;
      if (el.def.type === 'number') return { type: 'numberArray', int: el.isInt === true };
      break;
    }
  }
  throw new Error(`config form: no input for key "${key}" of schema type "${s.def.type}"`);
}

function walk(obj: ZodLike, prefix: string, section: string | null, out: FieldSpec[]): void {
  const shape = obj.shape ?? obj.def.shape ?? {};
  for (const [k, child] of Object.entries(shape)) {
    const key = prefix ? `${prefix}.${k}` : k;
    const { s, nullable } = unwrap(child);
    if (s.def.type === 'object') walk(s, key, section ?? k, out);
    else out.push({ key, section: section ?? 'general', kind: kindOf(s, nullable, key) });
  }
}

/** Every leaf of the experiment config as a form field, in schema order. */
export function configFields(): FieldSpec[] {
  const out: FieldSpec[] = [];
  walk(ExperimentConfig as unknown as ZodLike, '', null, out);
  return out;
}

/** Fields grouped by section, sections in schema order. */
export function fieldSections(): { section: string; fields: FieldSpec[] }[] {
  const groups = new Map<string, FieldSpec[]>();
  for (const f of configFields()) {
    if (!groups.has(f.section)) groups.set(f.section, []);
    groups.get(f.section)!.push(f);
  }
  return [...groups].map(([section, fields]) => ({ section, fields }));
}
