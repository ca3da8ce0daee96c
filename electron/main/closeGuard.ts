// Closing the window while runs train asks what to do: stop them (each writes its last checkpoint
// and status `stopped`), keep them training in the background (they are separate processes and
// outlive the app; the next start shows them live again), or cancel the close.
export type CloseChoice = 'stop' | 'keep' | 'cancel';

export interface CloseDialog {
  /** Electron's dialog.showMessageBox shape: resolves with the index of the button pressed. */
  (opts: {
    type: 'question';
    buttons: string[];
    defaultId: number;
    cancelId: number;
    title: string;
    message: string;
    detail: string;
  }): Promise<{ response: number }>;
}

const BUTTONS: [CloseChoice, string][] = [
  ['stop', 'Stop training and quit'],
  ['keep', 'Keep training in the background'],
  ['cancel', 'Cancel'],
];

export async function askOnClose(training: string[], dialog: CloseDialog): Promise<CloseChoice> {
  if (training.length === 0) return 'keep';
  const { response } = await dialog({
    type: 'question',
    buttons: BUTTONS.map(([, label]) => label),
    defaultId: 1,
    cancelId: 2,
    title: 'Runs are training',
    message:
      training.length === 1 ? '1 run is still training.' : `${training.length} runs are still training.`,
    detail:
      `${training.join('\n')}\n\nStopping writes each run's last checkpoint; you can resume it later. ` +
      'Runs kept in the background continue and show up live the next time the studio opens.',
  });
  return BUTTONS[response]?.[0] ?? 'cancel';
}

/** Wire the question to a window's `close` event. `quit` runs once the choice allows closing. */
export function guardClose(
  win: { on(event: 'close', listener: (e: { preventDefault(): void }) => void): unknown },
  deps: { training(): string[]; dialog: CloseDialog; stopAll(): Promise<void>; quit(): void },
): void {
  let decided = false;
  win.on('close', (e) => {
    if (decided || deps.training().length === 0) return;
    e.preventDefault();
    void askOnClose(deps.training(), deps.dialog).then(async (choice) => {
      if (choice === 'cancel') return;
      if (choice === 'stop') await deps.stopAll();
      decided = true;
      deps.quit();
    });
  });
}
