import { useCallback, useEffect, useRef, useState } from 'react';
import * as api from '../../api.js';
import { hydrateNode, pluginLookup } from '../graph.js';

/**
 * The installed plugins, grouped for the palette and indexed by id and
 * module. When they arrive, nodes that carry only their module and config
 * (imported flows) get their ports, form and docs through setNodes;
 * getIndex() answers the latest index, for graphs loaded later.
 */
export function usePlugins(setNodes) {
  const [plugins, setPlugins] = useState({ grouped: null, index: new Map(), loading: true, error: null });
  // The index as soon as it arrives (before React renders it): a graph
  // loaded in between is filled in from it.
  const indexRef = useRef(new Map());
  const getIndex = useCallback(() => indexRef.current, []);

  const fetchPlugins = useCallback(() => api.listPlugins('').then((r) => {
    const grouped = r?.grouped || {};
    const index = pluginLookup(grouped);
    indexRef.current = index;
    setPlugins({ grouped, index, loading: false, error: null });
    setNodes((ns) => (ns.some((n) => hydrateNode(n, index) !== n) ? ns.map((n) => hydrateNode(n, index)) : ns));
  }, (error) => setPlugins((p) => ({ ...p, grouped: null, loading: false, error }))), [setNodes]);

  const reloadPlugins = useCallback(() => {
    setPlugins((p) => ({ ...p, loading: true, error: null }));
    fetchPlugins();
  }, [fetchPlugins]);

  useEffect(() => { fetchPlugins(); }, [fetchPlugins]);

  return { plugins, reloadPlugins, getIndex };
}
