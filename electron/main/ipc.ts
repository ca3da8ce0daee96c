// The studio API over Electron IPC, on the `mtl:` prefix: `mtl:invoke` (one call → WireResult),
// `mtl:subscribe` / `mtl:unsubscribe` (events pushed back on `mtl:event`). Every message is checked:
// the sender must be the main frame of an app page (mtl://studio), the channel must be in the
// table and the payload must match its schema (core/api/dispatch.ts).
import { dispatchCall, subscribeEvent, toWireError } from '../../core/api/dispatch.ts';
import { IPC_PREFIX, type StudioService, type WireResult } from '../../core/api/studio.ts';
import { isAppUrl } from './security.ts';

export const IPC = {
  invoke: `${IPC_PREFIX}invoke`,
  subscribe: `${IPC_PREFIX}subscribe`,
  unsubscribe: `${IPC_PREFIX}unsubscribe`,
  event: `${IPC_PREFIX}event`,
} as const;

/** The parts of Electron's IPC objects used here (structural, so tests pass fakes). */
export interface SenderFrame {
  url: string;
}
export interface Sender {
  id: number;
  mainFrame: SenderFrame;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}
export interface IpcEvent {
  sender: Sender;
  senderFrame: SenderFrame | null;
}
export interface IpcMainLike {
  handle(channel: string, handler: (e: IpcEvent, ...args: unknown[]) => Promise<unknown>): void;
  on(channel: string, listener: (e: IpcEvent, ...args: unknown[]) => void): unknown;
  removeHandler(channel: string): void;
  removeAllListeners(channel: string): unknown;
}

/** Only the main frame of a page loaded from the app protocol may talk to the engine. */
export function isTrustedSender(e: IpcEvent): boolean {
  const frame = e.senderFrame;
  return !!frame && frame === e.sender.mainFrame && isAppUrl(frame.url);
}

const untrusted = (): WireResult => ({
  ok: false,
  error: { name: 'Forbidden', message: 'IPC from a frame that is not the studio app' },
});

export function registerIpc(ipcMain: IpcMainLike, service: StudioService): () => void {
  // Subscriptions per web contents, ended when the page goes away.
  const subs = new Map<number, Map<number, () => void>>();
  const subsOf = (sender: Sender): Map<number, () => void> => {
    let m = subs.get(sender.id);
    if (!m) {
      subs.set(sender.id, (m = new Map()));
      sender.once('destroyed', () => {
        for (const stop of m!.values()) stop();
        subs.delete(sender.id);
      });
    }
    return m;
  };

  ipcMain.handle(IPC.invoke, async (e, channel, payload) => {
    if (!isTrustedSender(e)) return untrusted();
    return dispatchCall(service, channel, payload);
  });

  ipcMain.on(IPC.subscribe, (e, sub, event, params) => {
    if (!isTrustedSender(e) || typeof sub !== 'number') return;
    const mine = subsOf(e.sender);
    mine.get(sub)?.();
    try {
      mine.set(
        sub,
        subscribeEvent(service, event, params, (payload) => {
          if (!e.sender.isDestroyed()) e.sender.send(IPC.event, sub, { ok: true, value: payload });
        }),
      );
    } catch (err) {
      e.sender.send(IPC.event, sub, { ok: false, error: toWireError(err) });
    }
  });

  ipcMain.on(IPC.unsubscribe, (e, sub) => {
    if (!isTrustedSender(e) || typeof sub !== 'number') return;
    const mine = subs.get(e.sender.id);
    mine?.get(sub)?.();
    mine?.delete(sub);
  });

  return () => {
    ipcMain.removeHandler(IPC.invoke);
    ipcMain.removeAllListeners(IPC.subscribe);
    ipcMain.removeAllListeners(IPC.unsubscribe);
    for (const m of subs.values()) for (const stop of m.values()) stop();
    subs.clear();
  };
}
