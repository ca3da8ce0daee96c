// A scripted studio transport for component tests: calls answered by handlers, events pushed by
// the test. Goes through the real typed client, so request validation still applies.
import type { StudioTransport } from '../../core/api/client.ts';
import type { RunInfo } from '../../core/api/studio.ts';
import { ExperimentConfig } from '../../core/api/config/schema.ts';
import { createStudioApi } from '../../renderer/src/api/api.ts';
import { createStudioSync } from '../../renderer/src/api/sync.ts';
import { createStudioStore } from '../../renderer/src/store/index.ts';
import { createActionManager } from '../../renderer/src/actions/registry.ts';

type Handler = (req: any) => unknown;

export function createFakeStudio(handlers: Record<string, Handler> = {}) {
  const calls: { channel: string; payload: unknown }[] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const transport: StudioTransport = {
    async invoke(channel, payload) {
      calls.push({ channel, payload });
      const h = handlers[channel];
      if (!h)
        return { ok: false, error: { name: 'NotFoundError', message: `no fake handler for ${channel}` } };
      try {
        return { ok: true, value: await h(payload) };
      } catch (e) {
        return { ok: false, error: { name: 'Error', message: (e as Error).message } };
      }
    },
    subscribe(event, _params, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
      return () => listeners.get(event)!.delete(listener);
    },
  };
  const api = createStudioApi(transport);
  const memory = new Map<string, string>();
  const store = createStudioStore({
    getItem: (k) => memory.get(k) ?? null,
    setItem: (k, v) => void memory.set(k, v),
    removeItem: (k) => void memory.delete(k),
  });
  const sync = createStudioSync(api, store);
  const actions = createActionManager({ store, api, sync });
  const push = (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload));
  return { api, store, sync, actions, calls, push, transport };
}

export function fakeRun(i: number, over: Partial<RunInfo> = {}): RunInfo {
  const config = ExperimentConfig.parse({
    name: `run-${i}`,
    optimizer: { lr: 10 ** -(1 + (i % 4)) },
  }) as unknown as Record<string, unknown>;
  return {
    id: `20261124-1200${String(i).padStart(4, '0')}-run-${i}`,
    name: `run-${i}`,
    createdAt: new Date(Date.UTC(2026, 10, 24, 12, 0, i)).toISOString(),
    tags: i % 3 === 0 ? ['ablation'] : [],
    notes: '',
    target: 'local',
    status: i % 5 === 0 ? 'running' : 'completed',
    step: 100 * i,
    epoch: 4,
    epochs: 16,
    updatedAt: Date.UTC(2026, 10, 24, 13),
    best: {
      step: 10 * i,
      epoch: 3,
      metrics: {
        multitask: (i * 37) % 100,
        miou: 50 + (i % 40),
        iou: Array(19).fill(50),
        si_log_rmse: 30 - (i % 10),
        log_mae: 0,
        log_rmse: 0,
        mae: 0,
        rmse: 0,
        abs_rel: 0,
        sq_rel: 0,
        delta1: 0,
        delta2: 0,
        delta3: 0,
        inv_mae: 0,
        inv_rmse: 0,
        pixel_acc: 0,
        images: 10,
      },
    },
    params: 1_000_000 + i,
    config,
    ...over,
  };
}
