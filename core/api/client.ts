// The one typed studio client, built from the table in studio.ts over any transport (Electron
// IPC bridge, HTTP + WebSocket, or a direct in-process service for tests). The renderer does:
//   const studio = createStudioClient(window.mtl ?? createHttpTransport({ fetch, WebSocket }));
//   const { runs } = await studio.runs.list();
//   const stop = studio.on('onRunEvent', { id, offset: 0 }, ({ events }) => …);
import {
  CALLS,
  EVENTS,
  type CallName,
  type CallOptions,
  type CallRequest,
  type CallResponse,
  type EventName,
  type EventParams,
  type EventPayload,
  type WireError,
  type WireResult,
} from './studio.ts';

/** What a transport does: send one call and get a WireResult back; push events to a listener.
 * The Electron preload exposes exactly this as `window.mtl`. */
export interface StudioTransport {
  invoke(channel: string, payload: unknown, opts?: CallOptions): Promise<WireResult>;
  /** Returns the function that ends the subscription. */
  subscribe(event: string, params: unknown, listener: (payload: unknown) => void): () => void;
}

/** An error raised by the engine (or by request validation), re-thrown on the client side. */
export class StudioError extends Error {
  readonly issues: { path: string; message: string }[];
  constructor(error: WireError) {
    super(error.message);
    this.name = error.name;
    this.issues = error.issues ?? [];
  }
}

type Call<K extends CallName> = (req?: CallRequest<K>, opts?: CallOptions) => Promise<CallResponse<K>>;
type Group<G extends string> = {
  [K in CallName as K extends `${G}.${infer M}` ? M : never]: Call<K>;
};
type Groups = CallName extends `${infer G}.${string}` ? G : never;

export type StudioClient = { [G in Groups]: Group<G> } & {
  call<K extends CallName>(name: K, req?: CallRequest<K>, opts?: CallOptions): Promise<CallResponse<K>>;
  on<K extends EventName>(
    event: K,
    params: EventParams<K>,
    listener: (payload: EventPayload<K>) => void,
  ): () => void;
};

/** Issues of a failed zod parse as `{ path, message }`. */
export function issuesOf(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

export function createStudioClient(transport: StudioTransport): StudioClient {
  async function call<K extends CallName>(
    name: K,
    req?: CallRequest<K>,
    opts?: CallOptions,
  ): Promise<CallResponse<K>> {
    const spec = CALLS[name];
    const parsed = spec.req.safeParse(req ?? {});
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      throw new StudioError({
        name: 'ValidationError',
        message: `${name}: ${issues.map((i) => `${i.path || '(request)'}: ${i.message}`).join('; ')}`,
        issues,
      });
    }
    const result = await transport.invoke(name, parsed.data, opts);
    if (!result.ok) throw new StudioError(result.error);
    return result.value as CallResponse<K>;
  }

  function on<K extends EventName>(
    event: K,
    params: EventParams<K>,
    listener: (payload: EventPayload<K>) => void,
  ): () => void {
    const parsed = EVENTS[event].params.parse(params ?? {});
    return transport.subscribe(event, parsed, (p) => listener(p as EventPayload<K>));
  }

  const client: Record<string, unknown> = { call, on };
  for (const name of Object.keys(CALLS) as CallName[]) {
    const [group, method] = name.split('.') as [string, string];
    const g = (client[group] ??= {}) as Record<string, unknown>;
    g[method] = (req?: unknown, opts?: CallOptions) => call(name, req as never, opts);
  }
  return client as StudioClient;
}
