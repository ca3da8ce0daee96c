// The studio shell: top bar, sidebar navigation, the current screen, palette and toasts.
// Keyboard shortcuts go through the action manager (never while typing in a field).
import { useEffect } from 'react';
import { useActions } from './actions/react.ts';
import { CommandPalette } from './palette/CommandPalette.tsx';
import { Toasts } from './components/Toasts.tsx';
import { useStudio, useStudioShallow, type View } from './store/index.ts';
import { RunsPage } from './runs/RunsPage.tsx';
import { NewRunPage } from './newrun/NewRunPage.tsx';
import { RunPage } from './runview/RunPage.tsx';
import { ComparePage } from './compare/ComparePage.tsx';
import { ExportPage } from './export/ExportPage.tsx';
import { TargetsPage } from './targets/TargetsPage.tsx';
import { SweepPage } from './sweep/SweepPage.tsx';

const NAV: { view: View; label: string; icon: string }[] = [
  { view: 'runs', label: 'Runs', icon: '☰' },
  { view: 'new', label: 'New run', icon: '+' },
  { view: 'compare', label: 'Compare', icon: '⇄' },
  { view: 'sweep', label: 'Sweeps', icon: '▦' },
  { view: 'export', label: 'Export', icon: '⇩' },
  { view: 'targets', label: 'Targets', icon: '⌁' },
];

const isTyping = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

export function App() {
  const manager = useActions();
  const { view, activeRunId, runs, navigate, connection, connectionError, system, compareIds, jobs } =
    useStudioShallow((s) => ({
      view: s.view,
      activeRunId: s.activeRunId,
      runs: s.runs,
      navigate: s.navigate,
      connection: s.connection,
      connectionError: s.connectionError,
      system: s.system,
      compareIds: s.compareIds,
      jobs: s.jobs,
    }));
  const update = useStudio((s) => s.update);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) && !(e.ctrlKey || e.metaKey)) return;
      if (manager.handleKey(e)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [manager]);

  const runList = Object.values(runs);
  const running = runList.filter((r) => r.status === 'running');
  const activeRun = activeRunId ? runs[activeRunId] : undefined;
  const activeJobs = Object.values(jobs).filter((j) => j.state === 'running').length;
  const title = view === 'run' ? (activeRun?.name ?? activeRunId) : NAV.find((n) => n.view === view)?.label;

  return (
    <div className="app" data-testid="app">
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" />
          MTL Studio
        </div>
        <div className="crumbs">
          <span>/</span>
          <b data-testid="page-title">{title}</b>
        </div>
        <span className="spacer" />
        <button
          className="btn small"
          onClick={() => update({ paletteOpen: true })}
          data-testid="open-palette"
        >
          Commands <kbd>Ctrl K</kbd>
        </button>
        <span className="conn" data-testid="connection" data-state={connection}>
          <span
            className="dot"
            style={{
              background:
                connection === 'open' ? 'var(--ok)' : connection === 'error' ? 'var(--err)' : 'var(--warn)',
            }}
          />
          {connection === 'open'
            ? system?.transport === 'electron'
              ? 'desktop'
              : 'local server'
            : connection}
        </span>
      </header>
      <nav className="sidebar">
        {NAV.map((n) => (
          <button
            key={n.view}
            className={`nav-item ${view === n.view ? 'active' : ''}`}
            onClick={() => navigate(n.view)}
            data-testid={n.view === 'new' ? 'nav-new-run' : `nav-${n.view}`}
          >
            <span style={{ width: 14, textAlign: 'center' }}>{n.icon}</span>
            {n.label}
            {n.view === 'runs' && <span className="count">{runList.length}</span>}
            {n.view === 'compare' && compareIds.length > 0 && (
              <span className="count">{compareIds.length}</span>
            )}
            {n.view === 'export' && activeJobs > 0 && (
              <span className="count">
                {activeJobs} job{activeJobs > 1 ? 's' : ''}
              </span>
            )}
          </button>
        ))}
        {running.length > 0 && (
          <>
            <div className="nav-sep" />
            <div className="nav-label">Training now</div>
            {running.slice(0, 8).map((r) => (
              <button
                key={r.id}
                className={`nav-item ${view === 'run' && activeRunId === r.id ? 'active' : ''}`}
                onClick={() => navigate('run', r.id)}
              >
                <span className="status running">
                  <span className="dot" />
                </span>
                <span style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                  {r.name}
                </span>
                <span className="count">
                  {r.epoch}/{r.epochs}
                </span>
              </button>
            ))}
          </>
        )}
        {activeRun && view !== 'run' && (
          <>
            <div className="nav-sep" />
            <div className="nav-label">Last opened</div>
            <button className="nav-item" onClick={() => navigate('run', activeRun.id)}>
              ↳{' '}
              <span style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                {activeRun.name}
              </span>
            </button>
          </>
        )}
        <div className="sidebar-foot">
          {system ? (
            <>
              <div>
                {system.app} {system.version}
              </div>
              <div
                title={system.workspace}
                style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
              >
                {system.workspace}
              </div>
              <div>
                {system.cpus} CPU · {Math.round(system.memoryMb / 1024)} GiB · {system.backends[0] ?? '?'}
              </div>
            </>
          ) : (
            'connecting…'
          )}
        </div>
      </nav>
      <main className="main">
        {connection === 'connecting' && (
          <div className="page">
            <div className="note" data-testid="connecting">
              Connecting to the studio engine…
            </div>
          </div>
        )}
        {connection === 'error' && (
          <div className="page">
            <div className="banner" data-testid="error-banner">
              Cannot reach the studio engine: {connectionError}. Open the URL printed by{' '}
              <code>mtl-studio serve</code> (it carries the session token).
            </div>
          </div>
        )}
        {view === 'runs' && <RunsPage />}
        {view === 'new' && <NewRunPage />}
        {view === 'run' && <RunPage />}
        {view === 'compare' && <ComparePage />}
        {view === 'sweep' && <SweepPage />}
        {view === 'export' && <ExportPage />}
        {view === 'targets' && <TargetsPage />}
      </main>
      <CommandPalette />
      <Toasts />
    </div>
  );
}
