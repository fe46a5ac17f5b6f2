import { useEffect, useRef } from 'react';

const isTyping = (el) => el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
const dialogOpen = () => !!document.querySelector('.modal-backdrop');

/**
 * The editor's keys, outside text fields and dialogs: Delete/Backspace
 * remove the selection, Ctrl+Z/Y (or Ctrl+Shift+Z) undo and redo, Ctrl+C/V
 * copy and paste; Ctrl+S saves from anywhere. A locked workflow takes only
 * Ctrl+S and Ctrl+C. The handlers are read at the time of the key press, so
 * the listener is added once.
 */
export function useShortcuts(handlers) {
  const latest = useRef(handlers);
  useEffect(() => { latest.current = handlers; });

  useEffect(() => {
    const onKey = (e) => {
      const h = latest.current;
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) {
        if ((e.key === 'Delete' || e.key === 'Backspace') && !e.altKey && !isTyping(document.activeElement) && !dialogOpen() && !h.locked) {
          if (h.deleteSelection()) e.preventDefault();
        }
        return;
      }
      const k = e.key.toLowerCase();
      if (k === 's') {
        e.preventDefault();
        h.save();
        return;
      }
      if (isTyping(document.activeElement) || dialogOpen()) return;
      if (h.locked && ['z', 'y', 'v'].includes(k)) return;
      if (k === 'z' && !e.shiftKey) { e.preventDefault(); h.undo(); }
      else if (k === 'y' || (k === 'z' && e.shiftKey)) { e.preventDefault(); h.redo(); }
      else if (k === 'c') { if (h.copy()) e.preventDefault(); }
      else if (k === 'v') { e.preventDefault(); h.paste(); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
