import { useCallback, useState } from 'react';
import * as api from '../../api.js';
import { confirmDialog, notify, notifyError } from '../../ui.jsx';
import { serializeFlow } from '../graph.js';

export const NO_PROBLEMS = { byNode: {}, general: [] };

/** Deploy and debug errors grouped by node: {nodeId: [{field, message}]}, plus the rest. */
function groupProblems(errors) {
  const byNode = {};
  const general = [];
  for (const e of errors || []) {
    if (e.nodeId) (byNode[e.nodeId] ||= []).push({ field: e.field || '', message: e.message });
    else general.push(e);
  }
  return { byNode, general };
}

export const countProblems = (p) => p.general.length + Object.values(p.byNode).reduce((a, l) => a + l.length, 0);

/**
 * What the editor does with the server: save the draft, deploy, restore
 * the previous production version, run the debugger, export, lock. `doc`
 * is useFlowDocument's answer; `problems` the live problems of the nodes
 * (a draft with problems is saved, and they are listed).
 */
export function useFlowActions({ flowId, doc, getState, problems, onSaved, onRestored, onDebugged }) {
  const { meta, setMeta, draftVersionRef, setStale, readStatus } = doc;
  const [busy, setBusy] = useState('');
  const [running, setRunning] = useState(false);
  const [debugResult, setDebugResult] = useState(null);
  const [reported, setReported] = useState(NO_PROBLEMS); // from the last deploy or debug run
  const [showProblems, setShowProblems] = useState(false);

  const currentFlow = useCallback(() => {
    const { nodes, edges } = getState();
    return { ...serializeFlow(meta, nodes, edges), version: draftVersionRef.current };
  }, [meta, getState, draftVersionRef]);

  const report = useCallback((errors) => {
    const p = groupProblems(errors);
    setReported(p);
    setShowProblems(countProblems(p) > 0);
    return p;
  }, []);
  const dismissProblems = useCallback(() => { setReported(NO_PROBLEMS); setShowProblems(false); }, []);

  const save = useCallback(async ({ quiet = false } = {}) => {
    if (!meta) return false;
    setBusy('save');
    try {
      const saved = await api.saveDraft(currentFlow());
      if (saved && typeof saved.version === 'number') draftVersionRef.current = saved.version;
      onSaved();
      readStatus();
      // A draft may be incomplete: it is saved, and its problems are listed.
      const n = countProblems(problems);
      if (n) setShowProblems(true);
      if (!quiet) {
        if (n) notify(`Draft saved with ${n} problem${n > 1 ? 's' : ''}: fix ${n > 1 ? 'them' : 'it'} before you deploy.`, 'error');
        else notify('Draft saved.');
      }
      return true;
    } catch (e) {
      if (api.isStale(e)) setStale(true);
      else notifyError(e);
      return false;
    } finally {
      setBusy('');
    }
  }, [meta, currentFlow, draftVersionRef, problems, onSaved, readStatus, setStale]);

  const deploy = useCallback(async () => {
    if (!(await save({ quiet: true }))) return;
    setBusy('deploy');
    try {
      await api.deployFlow(currentFlow());
      report([]);
      notify('Deployed to production. Rules now run this version.');
    } catch (e) {
      if (e.status === 422 && e.errors.length) {
        const p = report(e.errors);
        const n = e.errors.length;
        notify(`Not deployed: ${n} problem${n > 1 ? 's' : ''} to fix${Object.keys(p.byNode).length ? ' (marked on the nodes)' : ''}.`, 'error');
      } else if (api.isStale(e)) setStale(true);
      else notifyError(e);
    } finally {
      setBusy('');
      readStatus();
    }
  }, [save, currentFlow, report, readStatus, setStale]);

  const restoreProduction = useCallback(async () => {
    if (!(await confirmDialog('Make the previous production version the current one again? Deployed rules will run it from now on.', { ok: 'Restore' }))) return;
    setBusy('restore');
    try {
      const flow = await api.restoreProduction(flowId);
      readStatus();
      if (flow?.flowGraph && await confirmDialog('Restored. Open the restored version in the editor? It replaces the graph you see; save to keep it as the draft.', { ok: 'Open it', cancel: 'Keep my draft' })) {
        onRestored(flow);
      } else notify('Previous production version restored.');
    } catch (e) {
      if (e.status === 404) notify('There is no previous production version to restore.', 'error');
      else notifyError(e);
    } finally {
      setBusy('');
    }
  }, [flowId, onRestored, readStatus]);

  const runDebug = useCallback(async (arg) => {
    setRunning(true);
    try {
      const res = await api.debugFlow(currentFlow(), arg);
      setDebugResult(res);
      onDebugged();
      report(res?.errors?.filter((x) => x.field) || []);
      const nErr = (res?.errors || []).length;
      notify(nErr ? `Debug run finished with ${nErr} error${nErr > 1 ? 's' : ''}.` : 'Debug run finished.', nErr ? 'error' : 'ok');
    } catch (e) {
      if (e.status === 422 && e.errors.length) {
        report(e.errors);
        notify(`The flow cannot run: ${e.errors.map((x) => x.message).join('; ')}`, 'error');
      } else notifyError(e);
    } finally {
      setRunning(false);
    }
  }, [currentFlow, report, onDebugged]);

  const exportFlow = useCallback(() => {
    const blob = new Blob([JSON.stringify(currentFlow(), null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${(meta.name || 'workflow').replace(/[^\w.-]+/g, '-')}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }, [currentFlow, meta]);

  const toggleLock = useCallback(async () => {
    try {
      await api.lockFlow(flowId, !meta.lock);
      setMeta((m) => ({ ...m, lock: !m.lock }));
    } catch (e) {
      notifyError(e);
    }
  }, [flowId, meta, setMeta]);

  return {
    busy, running, debugResult, reported, showProblems, dismissProblems,
    save, deploy, restoreProduction, runDebug, exportFlow, toggleLock,
  };
}
