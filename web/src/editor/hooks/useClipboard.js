import { useCallback, useRef } from 'react';
import { notify } from '../../ui.jsx';
import { readClipboard, writeClipboard } from '../clipboard.js';
import { copySelection, pasteClipboard } from '../graph.js';

/**
 * Copy and paste of the selected nodes (with the edges between them).
 * Each paste of the same copy lands a little further down and right.
 */
export function useClipboard(getState, record, setNodes, setEdges) {
  const pasteCount = useRef(0);

  const copy = useCallback(() => {
    const { nodes, edges } = getState();
    const clip = copySelection(nodes, edges);
    if (!clip.nodes.length) return false;
    writeClipboard(clip);
    pasteCount.current = 0;
    notify(`Copied ${clip.nodes.length} node${clip.nodes.length > 1 ? 's' : ''}.`, 'info');
    return true;
  }, [getState]);

  const paste = useCallback(() => {
    pasteCount.current += 1;
    const off = 40 * pasteCount.current;
    const { nodes: nn, edges: ne } = pasteClipboard(readClipboard(), { x: off, y: off });
    if (!nn.length) return;
    record();
    setNodes((ns) => [...ns.map((n) => (n.selected ? { ...n, selected: false } : n)), ...nn]);
    setEdges((es) => [...es.map((e) => (e.selected ? { ...e, selected: false } : e)), ...ne]);
  }, [record, setNodes, setEdges]);

  return { copy, paste };
}
