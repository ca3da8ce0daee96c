// What the preload exposes to the page as `window.mtl`: exactly `invoke` and `subscribe`
// (core/api/client.ts StudioTransport), each forwarding to one fixed `mtl:` IPC channel — the page
// can name a studio call or event, never an arbitrary IPC channel.
import type { WireResult } from '../../core/api/studio.ts';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (e: unknown, ...args: unknown[]) => void): unknown;
}

export interface MtlBridge {
  invoke(channel: string, payload: unknown): Promise<WireResult>;
  subscribe(event: string, params: unknown, listener: (payload: unknown) => void): () => void;
}

export function createBridge(ipc: IpcRendererLike): MtlBridge {
  const listeners = new Map<number, (payload: unknown) => void>();
  let nextSub = 1;
  ipc.on('mtl:event', (_e, sub, message) => {
    const m = message as WireResult;
    if (m && m.ok) listeners.get(sub as number)?.(m.value);
  });
  return {
    invoke: (channel, payload) => ipc.invoke('mtl:invoke', String(channel), payload) as Promise<WireResult>,
    subscribe(event, params, listener) {
      const sub = nextSub++;
      listeners.set(sub, listener);
      ipc.send('mtl:subscribe', sub, String(event), params);
      return () => {
        if (listeners.delete(sub)) ipc.send('mtl:unsubscribe', sub);
      };
    },
  };
}
