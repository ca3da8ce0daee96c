// A restricted unpickler for PyTorch checkpoints (`torch.save` writes a zip whose data.pkl is a
// pickle). Python's pickle can call any importable function (the REDUCE opcode), so loading an
// untrusted .pth with pickle.load runs arbitrary code. This one interprets the opcodes itself and
// knows only what a state dict needs: dicts, lists, tuples, numbers, strings, None/bools,
// collections.OrderedDict, torch._utils._rebuild_tensor_v2 / _rebuild_parameter and the typed
// storages behind persistent ids. Any other global is refused by name before anything is called.

/** A Python tuple (kept apart from lists, which are JS arrays). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** dict / OrderedDict: string and int keys (others are stringified), insertion order kept. */
export class PyDict {
  readonly map = new Map<string | number, PyValue>();
  set(k: PyValue, v: PyValue): void {
    this.map.set(typeof k === 'string' || typeof k === 'number' ? k : String(k), v);
  }
}

export type StorageDtype =
  'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** A persistent id: ('storage', torch.FloatStorage, key, location, numel) → archive/data/<key>. */
export class StorageRef {
  constructor(
    readonly dtype: StorageDtype,
    readonly key: string,
    readonly numel: number,
  ) {}
}

/** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …): a strided view of a storage. */
export class TorchTensor {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

/** A global the allow-list knows (a storage type or one of the callables). */
class PyGlobal {
  constructor(readonly name: string) {}
}

export type PyValue =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | PyDict
  | StorageRef
  | TorchTensor
  | PyGlobal;

const STORAGE_TYPES: Record<string, StorageDtype> = {
  'torch.FloatStorage': 'float32',
  'torch.DoubleStorage': 'float64',
  'torch.HalfStorage': 'float16',
  'torch.BFloat16Storage': 'bfloat16',
  'torch.LongStorage': 'int64',
  'torch.IntStorage': 'int32',
  'torch.ShortStorage': 'int16',
  'torch.CharStorage': 'int8',
  'torch.ByteStorage': 'uint8',
  'torch.BoolStorage': 'bool',
};

const ints = (v: PyValue, what: string): number[] => {
  const items = v instanceof PyTuple ? v.items : v;
  if (!Array.isArray(items) || !items.every((x) => typeof x === 'number'))
    throw new Error(`${what}: expected a tuple of ints`);
  return items as number[];
};

const tensorFrom = (args: PyValue[], fn: string): TorchTensor => {
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRef) || typeof offset !== 'number')
    throw new Error(`${fn}: expected (storage, offset, size, stride, …)`);
  return new TorchTensor(storage, offset, ints(size, `${fn} size`), ints(stride, `${fn} stride`));
};

/** The only functions a pickle may call. */
const CALLABLES: Record<string, (args: PyValue[]) => PyValue> = {
  'collections.OrderedDict': () => new PyDict(),
  'torch._utils._rebuild_tensor_v2': (a) => tensorFrom(a, '_rebuild_tensor_v2'),
  'torch._utils._rebuild_tensor': (a) => tensorFrom(a, '_rebuild_tensor'),
  'torch._utils._rebuild_parameter': ([data]) => {
    if (!(data instanceof TorchTensor)) throw new Error('_rebuild_parameter: expected a tensor');
    return data;
  },
};

export class RefusedGlobalError extends Error {}

const MARK = Symbol('mark');
type StackItem = PyValue | typeof MARK;

/** Unpickle `bytes` (protocols 2–5, as torch.save writes) allowing only state-dict content. */
export function restrictedUnpickle(bytes: Uint8Array, source = 'pickle'): PyValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');
  const stack: StackItem[] = [];
  const memo = new Map<number, PyValue>();
  let p = 0;
  const fail = (msg: string): never => {
    throw new Error(`${source}: ${msg} (pickle offset ${p})`);
  };
  const need = (n: number) => {
    if (p + n > bytes.length) fail('truncated pickle');
  };
  const u8 = () => (need(1), bytes[p++]);
  const u16 = () => (need(2), (p += 2), view.getUint16(p - 2, true));
  const u32 = () => (need(4), (p += 4), view.getUint32(p - 4, true));
  const i32 = () => (need(4), (p += 4), view.getInt32(p - 4, true));
  const take = (n: number) => (need(n), (p += n), bytes.subarray(p - n, p));
  const line = () => {
    const end = bytes.indexOf(0x0a, p);
    if (end < 0) fail('truncated pickle');
    const s = latin1.decode(bytes.subarray(p, end));
    p = end + 1;
    return s;
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) fail('stack underflow');
    return v as PyValue;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) fail('stack underflow');
    return v as PyValue;
  };
  const popMark = (): PyValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail('no MARK on the stack');
    const items = stack.splice(i) as PyValue[];
    items.shift();
    return items;
  };
  const global = (module: string, name: string): PyValue => {
    const full = `${module}.${name}`;
    if (full in CALLABLES || full in STORAGE_TYPES) return new PyGlobal(full);
    throw new RefusedGlobalError(
      `${source}: refused global ${full}: only a state dict's contents are loaded (tensors, dicts, lists, numbers, strings); save model.state_dict() with torch.save`,
    );
  };
  const setItems = (d: PyValue, kv: PyValue[]) => {
    if (!(d instanceof PyDict)) fail('SETITEM on a non-dict');
    for (let i = 0; i + 1 < kv.length; i += 2) (d as PyDict).set(kv[i], kv[i + 1]);
  };
  const appendItems = (l: PyValue, items: PyValue[]) => {
    if (!Array.isArray(l)) fail('APPEND on a non-list');
    (l as PyValue[]).push(...items);
  };
  const bigint = (b: Uint8Array): number => {
    let x = 0n;
    for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
    if (b.length && b[b.length - 1] & 0x80) x -= 1n << BigInt(8 * b.length);
    if (x > BigInt(Number.MAX_SAFE_INTEGER) || x < BigInt(Number.MIN_SAFE_INTEGER))
      fail(`integer ${x} too large`);
    return Number(x);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        take(8);
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x64: {
        // DICT
        const d = new PyDict();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const kv = popMark();
        setItems(top(), kv);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const i = op === 0x68 ? u8() : u32();
        if (!memo.has(i)) fail(`memo ${i} missing`);
        stack.push(memo.get(i)!);
        break;
      }
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x8a: // LONG1
        stack.push(bigint(take(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(bigint(take(u32())));
        break;
      case 0x47: // BINFLOAT (big-endian double)
        need(8);
        stack.push(view.getFloat64(p, false));
        p += 8;
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text.decode(take(u8())));
        break;
      case 0x58: // BINUNICODE
        stack.push(text.decode(take(u32())));
        break;
      case 0x8d: // BINUNICODE8
        need(8);
        p += 8;
        stack.push(text.decode(take(Number(view.getBigUint64(p - 8, true)))));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE: callable(*args), callable from the allow-list only
        const args = pop();
        const fn = pop();
        if (!(fn instanceof PyGlobal) || !(fn.name in CALLABLES))
          fail(`refusing to call ${fn instanceof PyGlobal ? fn.name : typeof fn}`);
        if (!(args instanceof PyTuple)) fail('REDUCE arguments are not a tuple');
        stack.push(CALLABLES[(fn as PyGlobal).name]((args as PyTuple).items));
        break;
      }
      case 0x62: {
        // BUILD: only an OrderedDict's attributes (torch's state_dict._metadata), which are dropped
        pop();
        if (!(top() instanceof PyDict)) fail('BUILD on something other than a dict');
        break;
      }
      case 0x51: {
        // BINPERSID: torch's storages
        const pid = pop();
        const t = pid instanceof PyTuple ? pid.items : [];
        const [tag, type, key, , numel] = t;
        if (tag !== 'storage' || !(type instanceof PyGlobal) || !(type.name in STORAGE_TYPES))
          fail('unknown persistent id (expected a torch storage)');
        stack.push(
          new StorageRef(
            STORAGE_TYPES[(type as PyGlobal).name],
            String(key),
            typeof numel === 'number' ? numel : -1,
          ),
        );
        break;
      }
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16)} (${JSON.stringify(String.fromCharCode(op))})`);
    }
  }
}
