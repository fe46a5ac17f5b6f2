import { memo, useMemo, useState } from 'react';
import PluginIcon from '../components/PluginIcon.jsx';

export const DND_TYPE = 'application/x-tracflow-plugin';

function matches(rec, q) {
  if (!q) return true;
  const m = rec.plugin?.metadata || {};
  const hay = [m.name, m.desc, ...(m.group || []), ...(m.keywords || []), ...(m.tags || []), rec.id].join(' ').toLowerCase();
  return q.split(/\s+/).every((w) => hay.includes(w));
}

/**
 * The plugins to drag onto the canvas, grouped by plugin group, with search.
 * Enter on an item adds it in the middle of the view (keyboard users).
 */
function PaletteBase({ grouped, loading, error, onAdd, onReload }) {
  const [q, setQ] = useState('');
  const [closed, setClosed] = useState({});
  const query = q.trim().toLowerCase();
  const groups = useMemo(() => {
    const out = [];
    for (const g of Object.keys(grouped || {}).sort()) {
      const list = grouped[g].filter((r) => !r.settings?.hidden && matches(r, query));
      if (list.length) out.push([g, list]);
    }
    return out;
  }, [grouped, query]);

  return (
    <aside className="palette" aria-label="Plugins palette">
      <div className="palette-search">
        <input type="search" className="input" placeholder="Search plugins" aria-label="Search plugins" value={q} onChange={(e) => setQ(e.target.value)}
          title="Enter adds the first match; Arrow Down goes to the list"
          onKeyDown={(e) => {
            if (e.key === 'Enter' && groups.length) {
              e.preventDefault();
              onAdd(groups[0][1][0]);
            } else if (e.key === 'ArrowDown') {
              e.preventDefault();
              e.currentTarget.closest('.palette').querySelector('.palette-item')?.focus();
            }
          }} />
      </div>
      <div className="palette-list">
        {loading && <p className="muted pad">Loading plugins…</p>}
        {error && <p className="field-error pad" role="alert">Could not load plugins. <button type="button" className="link-btn" onClick={onReload}>Retry</button></p>}
        {!loading && !error && groups.length === 0 && <p className="muted pad">{query ? 'No plugin matches.' : 'No plugins. Press Reinstall Plugins.'}</p>}
        {groups.map(([g, list]) => {
          const isClosed = closed[g] && !query;
          return (
            <section key={g} className="palette-group">
              <h3>
                <button type="button" className="palette-group-btn" aria-expanded={!isClosed} onClick={() => setClosed((c) => ({ ...c, [g]: !c[g] }))}>
                  <span className="caret" aria-hidden="true">{isClosed ? '▸' : '▾'}</span>{g}<span className="count">{list.length}</span>
                </button>
              </h3>
              {!isClosed && (
                <ul>
                  {list.map((rec) => {
                    const m = rec.plugin?.metadata || {};
                    const disabled = rec.settings && rec.settings.enabled === false;
                    return (
                      <li key={rec.id}>
                        <button type="button" className={`palette-item ${disabled ? 'is-disabled' : ''}`} draggable
                          title={`${m.desc || ''}${disabled ? ' (disabled: it will not run)' : ''}\nDrag onto the canvas, or press Enter to add.`}
                          data-plugin-id={rec.id}
                          onDragStart={(e) => {
                            e.dataTransfer.setData(DND_TYPE, rec.id);
                            e.dataTransfer.setData('text/plain', m.name || rec.id);
                            e.dataTransfer.effectAllowed = 'move';
                          }}
                          onClick={(e) => e.detail === 0 && onAdd(rec)}
                          onDoubleClick={() => onAdd(rec)}
                          onKeyDown={(e) => {
                            if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
                            e.preventDefault();
                            const all = [...e.currentTarget.closest('.palette').querySelectorAll('.palette-item')];
                            const i = all.indexOf(e.currentTarget) + (e.key === 'ArrowDown' ? 1 : -1);
                            if (i >= 0 && i < all.length) all[i].focus();
                            else if (i < 0) e.currentTarget.closest('.palette').querySelector('input')?.focus();
                          }}>
                          <PluginIcon icon={m.icon} name={m.name} group={g} size={24} />
                          <span className="palette-name">{m.name || rec.id}</span>
                        </button>
                      </li>
                    );
                  })}
                </ul>
              )}
            </section>
          );
        })}
      </div>
    </aside>
  );
}

export default memo(PaletteBase);
