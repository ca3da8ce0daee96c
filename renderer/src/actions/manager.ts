// Runs registered actions from every entry point. A key press runs the one action whose keyTest
// matches and whose predicate holds; when several match, none runs (ambiguous binding) and it warns.
import type { Action, ActionContext, ActionSource, KeyLike } from './types.ts';

export interface ExecutedAction {
  id: string;
  source: ActionSource;
}

export class ActionManager {
  private readonly actions = new Map<string, Action>();
  /** The last actions run, newest last (for tests and diagnostics). */
  readonly history: ExecutedAction[] = [];

  constructor(private readonly ctx: ActionContext) {}

  register(...actions: Action[]): this {
    for (const a of actions) {
      if (this.actions.has(a.id)) throw new Error(`action "${a.id}" is registered twice`);
      this.actions.set(a.id, a);
    }
    return this;
  }

  get(id: string): Action | undefined {
    return this.actions.get(id);
  }

  all(): Action[] {
    return [...this.actions.values()];
  }

  isEnabled(a: Action): boolean {
    return a.predicate ? a.predicate(this.ctx.store.getState()) : true;
  }

  /** Actions the palette offers now, best match first. */
  search(query: string): Action[] {
    const q = query.trim().toLowerCase();
    const words = q.split(/\s+/).filter(Boolean);
    return this.all()
      .filter((a) => this.isEnabled(a) && a.id !== 'palette.open')
      .map((a) => {
        const hay = [a.label, a.id, ...(a.keywords ?? [])].join(' ').toLowerCase();
        const ok = words.every((w) => hay.includes(w));
        const score = a.label.toLowerCase().startsWith(q) ? 2 : a.label.toLowerCase().includes(q) ? 1 : 0;
        return { a, ok, score };
      })
      .filter((x) => x.ok)
      .sort((x, y) => y.score - x.score || x.a.label.localeCompare(y.a.label))
      .map((x) => x.a);
  }

  async executeAction(id: string, source: ActionSource): Promise<boolean> {
    const a = this.actions.get(id);
    if (!a) throw new Error(`unknown action "${id}"`);
    if (!this.isEnabled(a)) return false;
    this.history.push({ id, source });
    try {
      await a.perform(this.ctx, source);
    } catch (e) {
      this.ctx.store.getState().toast('error', `${a.label}: ${(e as Error).message}`);
    }
    return true;
  }

  /** Returns true when an action handled the key (the caller then prevents the default). */
  handleKey(e: KeyLike): boolean {
    const state = this.ctx.store.getState();
    const matches = this.all().filter((a) => a.keyTest?.(e, state) && this.isEnabled(a));
    if (matches.length === 0) return false;
    if (matches.length > 1) {
      console.warn(`ambiguous shortcut: ${matches.map((a) => a.id).join(', ')}`);
      return false;
    }
    void this.executeAction(matches[0].id, 'keyboard');
    return true;
  }
}
