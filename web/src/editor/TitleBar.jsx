import { useEffect, useRef, useState } from 'react';
import ReinstallButton from '../components/Reinstall.jsx';
import { BusyButton, Link } from '../ui.jsx';

/** What the badge says of a saved workflow, by the flow's status. */
export const STATUS_TEXT = {
  draft: 'Draft saved',
  deployed: 'Saved and deployed',
  changed: 'Saved; differs from production',
};
const STATUS_HINT = {
  draft: 'The draft is saved; it was never deployed.',
  deployed: 'Production runs this graph.',
  changed: 'The saved draft differs from what production runs: deploy to put it in production.',
};

/**
 * The actions used less often, in a menu. The menu stays mounted while
 * closed (only hidden), so that a dialog one of them opened stays open.
 */
function MoreMenu({ children }) {
  const [open, setOpen] = useState(false);
  const btn = useRef(null);
  const pop = useRef(null);
  useEffect(() => {
    if (!open) return undefined;
    pop.current?.querySelector('[role="menuitem"]')?.focus();
    const outside = (e) => {
      if (!pop.current?.contains(e.target) && !btn.current?.contains(e.target)) setOpen(false);
    };
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [open]);
  const onKey = (e) => {
    const items = [...pop.current.querySelectorAll('[role="menuitem"]:not([disabled])')];
    const i = items.indexOf(document.activeElement);
    if (e.key === 'Escape') { e.stopPropagation(); setOpen(false); btn.current?.focus(); }
    else if (e.key === 'ArrowDown') { e.preventDefault(); items[(i + 1) % items.length]?.focus(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); items[(i - 1 + items.length) % items.length]?.focus(); }
    else if (e.key === 'Tab') setOpen(false);
  };
  return (
    <div className="more">
      <button ref={btn} type="button" className="btn btn-small" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)}>More ▾</button>
      <div ref={pop} className={`more-pop ${open ? 'is-open' : ''}`} role="menu" aria-label="More actions" onKeyDown={onKey}
        onClick={(e) => { if (e.target.closest('[role="menuitem"]')) setOpen(false); }}>
        {children}
      </div>
    </div>
  );
}

/** The editor's title bar: back, the name (cut with an ellipsis), the state, and one row of actions. */
export default function TitleBar({
  meta, dirty, status, rulesCount, onEditMeta, onAddRule, paletteOpen, onTogglePalette, canUndo, canRedo, onUndo, onRedo, onLayout,
  debugOpen, onToggleDebug, busy, onSave, onDeploy, onExport, onToggleLock, onRestore, onPluginsReinstalled,
}) {
  return (
    <div className="titlebar">
      <div className="titlebar-left">
        <Link to="/flows" className="btn btn-ghost btn-small" aria-label="Back to workflows">← <span className="hide-narrow">Workflows</span></Link>
        <button type="button" className="flow-title" onClick={onEditMeta} title={`${meta.name || 'Untitled workflow'}: rename or edit tags`}>
          <h1>{meta.name || 'Untitled workflow'}</h1>
        </button>
        {dirty
          ? <span className="badge badge-warn" role="status">Unsaved</span>
          : <span className={`badge ${status === 'changed' ? 'badge-info' : 'badge-ok'}`} role="status" title={STATUS_HINT[status]}>{STATUS_TEXT[status] || 'Saved'}</span>}
        {meta.lock && <span className="badge">Locked</span>}
        <button type="button" className="link-btn small hide-narrow nowrap" onClick={onAddRule} title="Rules that run this workflow; add one">
          {rulesCount == null ? 'Rules' : `${rulesCount} rule${rulesCount === 1 ? '' : 's'}`} · add
        </button>
      </div>
      <div className="titlebar-actions" role="toolbar" aria-label="Workflow actions">
        <button type="button" className="btn btn-small" onClick={onTogglePalette} aria-pressed={paletteOpen}>Plugins</button>
        <button type="button" className="btn btn-small" onClick={onUndo} disabled={!canUndo} title="Undo (Ctrl+Z)">Undo</button>
        <button type="button" className="btn btn-small" onClick={onRedo} disabled={!canRedo} title="Redo (Ctrl+Y)">Redo</button>
        <button type="button" className="btn btn-small" onClick={onLayout} title="Arrange the nodes top to bottom">Auto-layout</button>
        <button type="button" className={`btn btn-small ${debugOpen ? 'btn-on' : ''}`} onClick={onToggleDebug} aria-pressed={debugOpen}>Debug</button>
        <span className="sep" aria-hidden="true" />
        <BusyButton className="btn btn-small" onClick={onSave} busy={!!busy} disabled={meta.lock} title="Save the draft (Ctrl+S)">{busy === 'save' ? 'Saving…' : 'Save draft'}</BusyButton>
        <BusyButton className="btn btn-small btn-primary" onClick={onDeploy} busy={!!busy} disabled={meta.lock} title="Save and put this version in production">{busy === 'deploy' ? 'Deploying…' : 'Deploy'}</BusyButton>
        <MoreMenu>
          <button type="button" role="menuitem" className="menu-item" onClick={onExport} title="Download the workflow as JSON (Tracardi's format)">Export</button>
          <button type="button" role="menuitem" className="menu-item" onClick={onToggleLock} title="A locked workflow cannot be edited">{meta.lock ? 'Unlock' : 'Lock'}</button>
          <button type="button" role="menuitem" className="menu-item" onClick={onRestore} disabled={meta.lock || !!busy} title="Go back to the previous production version">Restore previous</button>
          <ReinstallButton className="menu-item" role="menuitem" onDone={onPluginsReinstalled} />
        </MoreMenu>
      </div>
    </div>
  );
}
