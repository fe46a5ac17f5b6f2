import { useCallback, useEffect, useRef, useState } from 'react';
import * as api from '../../api.js';

/**
 * The workflow being edited: its metadata, its status (draft, deployed or
 * changed), the version of the draft on screen and whether someone else
 * saved since (stale). Loads the draft (or, for a flow without one, the
 * metadata) and hands it to show(flow); reload() loads it again.
 */
export function useFlowDocument(flowId, show) {
  const [meta, setMeta] = useState(null);
  const [status, setStatus] = useState('draft');
  const [stale, setStale] = useState(false);
  const [loadError, setLoadError] = useState(null);
  const [reloads, setReloads] = useState(0);
  // Saves and deploys send it, so that the server refuses them (409) when
  // someone else saved since.
  const draftVersionRef = useRef(0);

  useEffect(() => {
    let cancelled = false;
    api.getDraft(flowId).catch((e) => { if (e.status !== 404) throw e; return null; }).then(async (flow) => {
      if (flow && flow.name) return flow;
      const m = await api.getFlowMetadata(flowId);
      return { ...m, ...(flow || {}), name: flow?.name || m?.name, status: flow?.status || m?.status };
    }).then((flow) => {
      if (cancelled) return;
      draftVersionRef.current = flow.version ?? 0;
      setMeta({ id: flow.id || flowId, name: flow.name || '', description: flow.description || '', tags: flow.tags || [], type: flow.type || 'collection', lock: !!flow.lock });
      setStatus(flow.status || 'draft');
      setStale(false);
      show(flow);
    }).catch((e) => { if (!cancelled) setLoadError(e); });
    return () => { cancelled = true; };
  }, [flowId, show, reloads]);

  const reload = useCallback(() => setReloads((n) => n + 1), []);
  const readStatus = useCallback(() => api.getFlowMetadata(flowId).then((m) => setStatus(m?.status || 'draft'), () => {}), [flowId]);

  return { meta, setMeta, status, readStatus, stale, setStale, loadError, draftVersionRef, reload };
}
