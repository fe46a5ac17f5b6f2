import { useCallback, useEffect, useState } from 'react';
import * as api from '../../api.js';
import { hydrateNode, pluginLookup } from '../graph.js';

/**
 * The installed plugins, grouped for the palette and indexed by id and
 * module. When they arrive, nodes that carry only their module and config
 * (imported flows) get their ports, form and docs through setNodes.
 */
export function usePlugins(setNodes) {
  const [plugins, setPlugins] = useState({ grouped: null, index: new Map(), loading: true, error: null });

  const fetchPlugins = useCallback(() => api.listPlugins('').then((r) => {
    const grouped = r?.grouped || {};
    const index = pluginLookup(grouped);
    setPlugins({ grouped, index, loading: false, error: null });
    setNodes((ns) => (ns.some((n) => hydrateNode(n, index) !== n) ? ns.map((n) => hydrateNode(n, index)) : ns));
  }, (error) => setPlugins((p) => ({ ...p, grouped: null, loading: false, error }))), [setNodes]);

  const reloadPlugins = useCallback(() => {
    setPlugins((p) => ({ ...p, loading: true, error: null }));
    fetchPlugins();
  }, [fetchPlugins]);

  useEffect(() => { fetchPlugins(); }, [fetchPlugins]);

  return { plugins, reloadPlugins };
}
