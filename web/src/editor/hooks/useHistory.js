import { useCallback, useRef, useState } from 'react';
import { History } from '../history.js';

/**
 * Undo and redo of the graph. record(key) keeps the state before a change
 * (changes with the same key within 1.5 s are one step); undo and redo put a
 * kept state back through restore(snapshot). canUndo and canRedo are state,
 * so the buttons follow without reading the stack during render.
 */
export function useHistory(getState, restore) {
  const stack = useRef(null);
  const last = useRef({ key: null, time: 0 });
  const [can, setCan] = useState({ undo: false, redo: false });
  const hist = useCallback(() => {
    if (!stack.current) stack.current = new History();
    return stack.current;
  }, []);
  const sync = useCallback(() => setCan({ undo: hist().canUndo, redo: hist().canRedo }), [hist]);

  const record = useCallback((key = null) => {
    const now = Date.now();
    const prev = last.current;
    if (!(key && key === prev.key && now - prev.time < 1500)) hist().push(getState());
    last.current = { key, time: now };
    sync();
  }, [getState, hist, sync]);

  const step = useCallback((snap) => {
    last.current = { key: null, time: 0 };
    sync();
    if (snap) restore(snap);
  }, [restore, sync]);
  const undo = useCallback(() => step(hist().undo(getState())), [step, hist, getState]);
  const redo = useCallback(() => step(hist().redo(getState())), [step, hist, getState]);
  const clear = useCallback(() => { hist().clear(); sync(); }, [hist, sync]);

  return { record, undo, redo, clear, canUndo: can.undo, canRedo: can.redo };
}
