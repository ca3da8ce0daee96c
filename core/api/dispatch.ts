// The engine side of every transport: take an untrusted (channel, payload) pair, check the channel
// is in the table and the payload matches its schema, run the handler, and turn the outcome —
// value or error — into a WireResult. Electron IPC, the HTTP server and the direct transport all
// go through here, so validation and error shapes are identical everywhere.
import { issuesOf, type StudioTransport } from './client.ts';
import {
  CALLS,
  EVENTS,
  isCallName,
  isEventName,
  type CallOptions,
  type StudioService,
  type WireError,
  type WireResult,
} from './studio.ts';

/** A request that does not match the table (unknown channel, bad payload). */
export class ValidationError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** Any thrown value as data: class name, first line of the message, key-path issues if it has them. */
export function toWireError(e: unknown): WireError {
  if (e instanceof Error) {
    const issues = (e as { issues?: unknown }).issues;
    const out: WireError = { name: e.name || 'Error', message: e.message };
    if (
      Array.isArray(issues) &&
      issues.every((i) => typeof i?.path === 'string' && typeof i?.message === 'string')
    )
      out.issues = issues as WireError['issues'];
    return out;
  }
  return { name: 'Error', message: String(e) };
}

function parseOrThrow(
  schema: { safeParse(v: unknown): { success: true; data: unknown } | { success: false; error: any } },
  value: unknown,
  what: string,
): unknown {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = issuesOf(r.error);
  throw new ValidationError(
    `${what}: ${issues.map((i) => `${i.path || '(payload)'}: ${i.message}`).join('; ')}`,
    issues,
  );
}

/** Validate and run one call. Never throws: errors come back as `{ ok: false, error }`. */
export async function dispatchCall(
  service: StudioService,
  channel: unknown,
  payload: unknown,
  opts: CallOptions = {},
): Promise<WireResult> {
  try {
    if (!isCallName(channel)) throw new ValidationError(`unknown studio call ${JSON.stringify(channel)}`);
    const req = parseOrThrow(CALLS[channel].req, payload ?? {}, channel);
    const handler = service.handlers[channel] as (r: unknown, o: CallOptions) => Promise<unknown>;
    const value = await handler(req, opts);
    return { ok: true, value };
  } catch (e) {
    return { ok: false, error: toWireError(e) };
  }
}

/** Validate and start one subscription; throws ValidationError on an unknown event or bad params. */
export function subscribeEvent(
  service: StudioService,
  event: unknown,
  params: unknown,
  listener: (payload: unknown) => void,
): () => void {
  if (!isEventName(event)) throw new ValidationError(`unknown studio event ${JSON.stringify(event)}`);
  const parsed = parseOrThrow(EVENTS[event].params, params ?? {}, event);
  return service.subscribe(event, parsed as never, listener as never);
}

/** A transport that calls a service in the same process (tests, and a renderer running beside an
 * in-memory service). Payloads go through JSON so nothing that could not cross a real wire passes. */
export function createDirectTransport(service: StudioService): StudioTransport {
  const wire = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
  return {
    invoke: async (channel, payload, opts) => wire(await dispatchCall(service, channel, wire(payload), opts)),
    subscribe: (event, params, listener) =>
      subscribeEvent(service, event, wire(params), (p) => listener(wire(p))),
  };
}
