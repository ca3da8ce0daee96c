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
  | { type: 'numberArray'; int: boolean }
  /** Literal choices and/or a free number/string (e.g. `'auto' | int`): text input with suggestions. */
  | { type: 'choiceOrValue'; choices: string[] }
  /** Anything else: edited as JSON, validated by the schema. */
  | { type: 'json' };

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
      const options = (s.def.options ?? []).map((o) => unwrap(o).s);
      const types = options.map((o) => o.def.type);
      if (
        types.includes('literal') &&
        types.includes('string') &&
        options.some((o) => o.def.values?.includes(false))
      )
        return { type: 'falseOrString' };
      if (types.every((t) => ['literal', 'number', 'string', 'enum'].includes(t))) {
        const choices = options.flatMap((o) =>
          o.def.type === 'literal'
            ? (o.def.values ?? []).map(String)
            : o.def.type === 'enum'
              ? Object.values(o.def.entries ?? {})
              : [],
        );
        return { type: 'choiceOrValue', choices };
      }
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
  void key;
  return { type: 'json' };
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
