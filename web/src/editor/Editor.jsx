import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import {
  Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, applyEdgeChanges, applyNodeChanges, useReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import * as api from '../api.js';
import { setNavigationBlocker } from '../router.js';
import ReinstallButton from '../components/Reinstall.jsx';
import { FlowMetaDialog } from '../pages/Flows.jsx';
import { RuleDialog } from '../pages/Rules.jsx';
import { BusyButton, ErrorBox, Link, Spinner, StaleNotice, confirmDialog, notify, notifyError } from '../ui.jsx';
import { PaintContext } from './context.js';
import DebugPanel from './DebugPanel.jsx';
import { edgeTypes, nodeTypes } from './FlowNode.jsx';
import {
  connectionProblem, copySelection, debugPaint, deserializeFlow, hydrateNode, makeEdge, nodeName, pasteClipboard, pluginLookup,
  pluginToNode, serializeFlow,
} from './graph.js';
import { History } from './history.js';
import { autoLayout, nodeWidth } from './layout.js';
import NodePanel from './NodePanel.jsx';
import Palette, { DND_TYPE } from './Palette.jsx';

const KNOWN_TYPES = new Set(Object.keys(nodeTypes));
const CLIP_KEY = 'tracflow.clipboard';
const isTyping = (el) => el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

function normalise(nodes) {
  return nodes.map((n) => (KNOWN_TYPES.has(n.type) ? n : { ...n, type: n.data?.start ? 'startNode' : 'flowNode' }));
}

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

export default function Editor({ flowId }) {
  return (
    <ReactFlowProvider>
      <EditorInner flowId={flowId} />
    </ReactFlowProvider>
  );
}

function EditorInner({ flowId }) {
  const rf = useReactFlow();
  const [meta, setMeta] = useState(null);
  // The version of the draft this editor shows; saves and deploys send it,
  // so that the server refuses them (409) when someone else saved since.
  const draftVersion = useRef(0);
  const [stale, setStale] = useState(false);
  const [reloads, setReloads] = useState(0);
  const [nodes, setNodes] = useState([]);
  const [edges, setEdges] = useState([]);
  const [dirty, setDirty] = useState(false);
  const [loadError, setLoadError] = useState(null);
  const [plugins, setPlugins] = useState({ grouped: null, loading: true, error: null });
  const [selectedId, setSelectedId] = useState(null);
  const [selectedEdgeId, setSelectedEdgeId] = useState(null);
  const [debugOpen, setDebugOpen] = useState(false);
  const [debugResult, setDebugResult] = useState(null);
  const [paintOn, setPaintOn] = useState(false);
  const [running, setRunning] = useState(false);
  const [problems, setProblems] = useState({ byNode: {}, general: [] });
  const [busy, setBusy] = useState('');
  const [metaDialog, setMetaDialog] = useState(false);
  const [ruleDialog, setRuleDialog] = useState(false);
  const [rulesCount, setRulesCount] = useState(null);
  const [paletteOpen, setPaletteOpen] = useState(() => window.innerWidth > 760);
  const history = useRef(new History());
  const [, refresh] = useReducer((x) => x + 1, 0);
  const state = useRef({ nodes, edges });
  state.current = { nodes, edges };
  const lastRecord = useRef({ key: null, time: 0 });
  const dragging = useRef(false);
  const pasteCount = useRef(0);
  const wrapper = useRef(null);
  const lockedRef = useRef(false);
  const lookupRef = useRef(new Map());

  // --- Loading -----------------------------------------------------------------

  const loadPlugins = useCallback(async () => {
    setPlugins((p) => ({ ...p, loading: true, error: null }));
    try {
      const r = await api.listPlugins('');
      setPlugins({ grouped: r?.grouped || {}, loading: false, error: null });
    } catch (error) {
      setPlugins({ grouped: null, loading: false, error });
    }
  }, []);

  const loadRules = useCallback(() => {
    api.rulesByFlow(flowId).then((r) => setRulesCount(r?.total ?? api.rows(r).length)).catch(() => setRulesCount(null));
  }, [flowId]);

  const showGraph = useCallback((flow) => {
    const g = deserializeFlow(flow);
    setNodes(normalise(g.nodes).map((n) => hydrateNode(n, lookupRef.current)));
    setEdges(g.edges);
    setSelectedId(null);
    // React Flow queues a fit until nodes exist; with an empty graph it would
    // jump the view at the first node the user drops, so fit only a graph.
    if (g.nodes.length) setTimeout(() => rf.fitView({ padding: 0.2, maxZoom: 1.2 }), 60);
  }, [rf]);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        let flow = null;
        try {
          flow = await api.getDraft(flowId);
        } catch (e) {
          if (e.status !== 404) throw e;
        }
        if (!flow || !flow.name) {
          const m = await api.getFlowMetadata(flowId);
          flow = { ...m, ...(flow || {}), name: flow?.name || m?.name };
        }
        if (cancelled) return;
        draftVersion.current = flow.version ?? 0;
        setMeta({ id: flow.id || flowId, name: flow.name || '', description: flow.description || '', tags: flow.tags || [], type: flow.type || 'collection', lock: !!flow.lock });
        showGraph(flow);
        history.current.clear();
        setDirty(false);
        setStale(false);
      } catch (e) {
        if (!cancelled) setLoadError(e);
      }
    })();
    loadPlugins();
    loadRules();
    return () => { cancelled = true; };
  }, [flowId, loadPlugins, loadRules, showGraph, reloads]);

  // --- History -------------------------------------------------------------------

  /** Records the state before a change; changes with the same key within 1.5 s are one step. */
  const record = useCallback((key = null) => {
    const now = Date.now();
    const last = lastRecord.current;
    if (!(key && key === last.key && now - last.time < 1500)) {
      history.current.push({ nodes: state.current.nodes, edges: state.current.edges });
    }
    lastRecord.current = { key, time: now };
    setDirty(true);
    setPaintOn(false);
    refresh();
  }, []);

  const restore = useCallback((snap) => {
    if (!snap) return;
    setNodes(snap.nodes);
    setEdges(snap.edges);
    lastRecord.current = { key: null, time: 0 };
    setDirty(true);
    refresh();
  }, []);
  const undo = useCallback(() => restore(history.current.undo({ ...state.current })), [restore]);
  const redo = useCallback(() => restore(history.current.redo({ ...state.current })), [restore]);

  // --- Graph changes -------------------------------------------------------------------

  const onNodesChange = useCallback((changes) => {
    const moved = changes.some((c) => c.type === 'position' && c.position && !dragging.current);
    if (moved) record('keyboard-move');
    setNodes((ns) => applyNodeChanges(changes, ns));
  }, [record]);

  const onEdgesChange = useCallback((changes) => setEdges((es) => applyEdgeChanges(changes, es)), []);

  const onNodeDragStart = useCallback(() => { dragging.current = true; record(); }, [record]);
  const onNodeDragStop = useCallback(() => { dragging.current = false; setDirty(true); }, []);

  const onBeforeDelete = useCallback(async () => { record(); return true; }, [record]);
  const onDelete = useCallback(({ nodes: gone }) => {
    if (gone.some((n) => n.id === selectedId)) setSelectedId(null);
  }, [selectedId]);

  const isValidConnection = useCallback((c) => !connectionProblem(c, state.current.nodes, state.current.edges), []);

  const onConnect = useCallback((c) => {
    const problem = connectionProblem(c, state.current.nodes, state.current.edges);
    if (problem) { notify(problem, 'error'); return; }
    record();
    setEdges((es) => [...es, makeEdge(c)]);
  }, [record]);

  const onConnectEnd = useCallback((_e, cs) => {
    if (!cs || cs.isValid || !cs.toHandle || !cs.fromHandle) return;
    if (cs.fromHandle.type === cs.toHandle.type) {
      notify(cs.fromHandle.type === 'source' ? 'Connect an output port to an input port.' : 'Connect an input port to an output port.', 'error');
      return;
    }
    const out = cs.fromHandle.type === 'source' ? cs.fromHandle : cs.toHandle;
    const inp = cs.fromHandle.type === 'source' ? cs.toHandle : cs.fromHandle;
    const problem = connectionProblem({ source: out.nodeId, sourceHandle: out.id, target: inp.nodeId, targetHandle: inp.id }, state.current.nodes, state.current.edges);
    if (problem) notify(problem, 'error');
  }, []);

  const onSelectionChange = useCallback(({ nodes: sel, edges: selEdges }) => {
    setSelectedId(sel.length === 1 ? sel[0].id : null);
    setSelectedEdgeId(sel.length === 0 && selEdges.length === 1 ? selEdges[0].id : null);
  }, []);

  const renameEdge = useCallback((id, name) => {
    record(`edge-name:${id}`);
    setEdges((es) => es.map((e) => (e.id === id ? { ...e, data: { ...(e.data || {}), name } } : e)));
  }, [record]);

  const pluginIndex = useMemo(() => pluginLookup(plugins.grouped), [plugins.grouped]);
  lookupRef.current = pluginIndex;

  // Nodes of imported flows may carry only their module and config: fill in
  // ports, form and docs from the installed plugins once they are known.
  useEffect(() => {
    if (pluginIndex.size) setNodes((ns) => (ns.some((n) => hydrateNode(n, pluginIndex) !== n) ? ns.map((n) => hydrateNode(n, pluginIndex)) : ns));
  }, [pluginIndex]);

  const addNode = useCallback((rec, center) => {
    if (lockedRef.current) { notify('This workflow is locked: unlock it to edit.', 'error'); return null; }
    const node = pluginToNode(rec, { x: center.x - nodeWidth({ data: rec.plugin }) / 2, y: center.y - 30 });
    record();
    setNodes((ns) => [...ns.map((n) => (n.selected ? { ...n, selected: false } : n)), { ...node, selected: true }]);
    setEdges((es) => es.map((e) => (e.selected ? { ...e, selected: false } : e)));
    setSelectedId(node.id);
    return node;
  }, [record]);

  const viewCenter = useCallback(() => {
    const r = wrapper.current.getBoundingClientRect();
    return rf.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 });
  }, [rf]);

  const onPaletteAdd = useCallback((rec) => {
    const c = viewCenter();
    const n = state.current.nodes.length;
    addNode(rec, { x: c.x + (n % 5) * 12, y: c.y + (n % 5) * 12 });
  }, [addNode, viewCenter]);

  const onDragOver = useCallback((e) => {
    if (e.dataTransfer.types.includes(DND_TYPE)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
    }
  }, []);

  const onDrop = useCallback((e) => {
    const id = e.dataTransfer.getData(DND_TYPE);
    if (!id) return;
    e.preventDefault();
    const rec = pluginIndex.get(id);
    if (!rec) { notify('This plugin is no longer installed.', 'error'); return; }
    addNode(rec, rf.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
  }, [pluginIndex, addNode, rf]);

  const updateNodeData = useCallback((id, data, key) => {
    record(key);
    setNodes((ns) => ns.map((n) => (n.id === id ? { ...n, data } : n)));
  }, [record]);

  const getNodes = useCallback(() => state.current.nodes, []);
  const removeEdge = useCallback((id) => rf.deleteElements({ edges: [{ id }] }), [rf]);

  const deleteNode = useCallback((id) => {
    rf.deleteElements({ nodes: [{ id }] });
  }, [rf]);

  const layout = useCallback(() => {
    const { nodes: ns, edges: es } = state.current;
    if (!ns.length) return;
    const pos = autoLayout(ns, es);
    record();
    setNodes(ns.map((n) => ({ ...n, position: pos[n.id] || n.position })));
    setTimeout(() => rf.fitView({ padding: 0.2, maxZoom: 1.2, duration: 200 }), 30);
  }, [record, rf]);

  // --- Clipboard -------------------------------------------------------------------------

  const copy = useCallback(() => {
    const clip = copySelection(state.current.nodes, state.current.edges);
    if (!clip.nodes.length) return false;
    try { sessionStorage.setItem(CLIP_KEY, JSON.stringify(clip)); } catch { /* too large: keep in memory only */ }
    window.__tracflowClip = clip;
    pasteCount.current = 0;
    notify(`Copied ${clip.nodes.length} node${clip.nodes.length > 1 ? 's' : ''}.`, 'info');
    return true;
  }, []);

  const paste = useCallback(() => {
    let clip = window.__tracflowClip;
    if (!clip) {
      try { clip = JSON.parse(sessionStorage.getItem(CLIP_KEY) || 'null'); } catch { clip = null; }
    }
    pasteCount.current += 1;
    const off = 40 * pasteCount.current;
    const { nodes: nn, edges: ne } = pasteClipboard(clip, { x: off, y: off });
    if (!nn.length) return;
    record();
    setNodes((ns) => [...ns.map((n) => (n.selected ? { ...n, selected: false } : n)), ...nn]);
    setEdges((es) => [...es.map((e) => (e.selected ? { ...e, selected: false } : e)), ...ne]);
  }, [record]);

  // --- Save, deploy, restore, debug ---------------------------------------------------

  const currentFlow = useCallback(() => ({ ...serializeFlow(meta, state.current.nodes, state.current.edges), version: draftVersion.current }), [meta]);

  const applyProblems = useCallback((errors) => {
    const p = groupProblems(errors);
    setProblems(p);
    return p;
  }, []);

  const save = useCallback(async ({ quiet = false } = {}) => {
    if (!meta) return false;
    setBusy('save');
    try {
      const saved = await api.saveDraft(currentFlow());
      if (saved && typeof saved.version === 'number') draftVersion.current = saved.version;
      setDirty(false);
      if (!quiet) notify('Draft saved.');
      return true;
    } catch (e) {
      if (api.isStale(e)) setStale(true);
      else notifyError(e);
      return false;
    } finally {
      setBusy('');
    }
  }, [meta, currentFlow]);

  const deploy = useCallback(async () => {
    if (!(await save({ quiet: true }))) return;
    setBusy('deploy');
    try {
      await api.deployFlow(currentFlow());
      applyProblems([]);
      notify('Deployed to production. Rules now run this version.');
    } catch (e) {
      if (e.status === 422 && e.errors.length) {
        const p = applyProblems(e.errors);
        const n = e.errors.length;
        notify(`Not deployed: ${n} problem${n > 1 ? 's' : ''} to fix${Object.keys(p.byNode).length ? ' (marked on the nodes)' : ''}.`, 'error');
      } else if (api.isStale(e)) setStale(true);
      else notifyError(e);
    } finally {
      setBusy('');
    }
  }, [save, currentFlow, applyProblems]);

  const restoreProduction = useCallback(async () => {
    if (!(await confirmDialog('Make the previous production version the current one again? Deployed rules will run it from now on.', { ok: 'Restore' }))) return;
    setBusy('restore');
    try {
      const flow = await api.restoreProduction(flowId);
      if (flow?.flowGraph && await confirmDialog('Restored. Open the restored version in the editor? It replaces the graph you see; save to keep it as the draft.', { ok: 'Open it', cancel: 'Keep my draft' })) {
        record();
        showGraph(flow);
        setDirty(true);
      } else notify('Previous production version restored.');
    } catch (e) {
      if (e.status === 404) notify('There is no previous production version to restore.', 'error');
      else notifyError(e);
    } finally {
      setBusy('');
    }
  }, [flowId, record, showGraph]);

  const runDebug = useCallback(async (arg) => {
    setRunning(true);
    try {
      const res = await api.debugFlow(currentFlow(), arg);
      setDebugResult(res);
      setPaintOn(true);
      applyProblems(res?.errors?.filter((x) => x.field) || []);
      const nErr = (res?.errors || []).length;
      notify(nErr ? `Debug run finished with ${nErr} error${nErr > 1 ? 's' : ''}.` : 'Debug run finished.', nErr ? 'error' : 'ok');
    } catch (e) {
      if (e.status === 422 && e.errors.length) {
        applyProblems(e.errors);
        notify(`The flow cannot run: ${e.errors.map((x) => x.message).join('; ')}`, 'error');
      } else notifyError(e);
    } finally {
      setRunning(false);
    }
  }, [currentFlow, applyProblems]);

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
  }, [flowId, meta]);

  // --- Keyboard and leaving with unsaved changes ----------------------------------------

  useEffect(() => {
    const onKey = (e) => {
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) {
        // Delete/Backspace remove the selected nodes and edges (handled here
        // rather than by React Flow so that it works whatever was pressed before).
        if ((e.key === 'Delete' || e.key === 'Backspace') && !e.altKey && !isTyping(document.activeElement) &&
            !document.querySelector('.modal-backdrop') && !lockedRef.current) {
          const { nodes: ns, edges: es } = state.current;
          const selNodes = ns.filter((n) => n.selected);
          const selEdges = es.filter((x) => x.selected);
          if (selNodes.length || selEdges.length) {
            e.preventDefault();
            rf.deleteElements({ nodes: selNodes.map((n) => ({ id: n.id })), edges: selEdges.map((x) => ({ id: x.id })) });
          }
        }
        return;
      }
      const k = e.key.toLowerCase();
      if (k === 's') {
        e.preventDefault();
        save();
        return;
      }
      if (isTyping(document.activeElement) || document.querySelector('.modal-backdrop')) return;
      if (lockedRef.current && ['z', 'y', 'v'].includes(k)) return;
      if (k === 'z' && !e.shiftKey) { e.preventDefault(); undo(); }
      else if (k === 'y' || (k === 'z' && e.shiftKey)) { e.preventDefault(); redo(); }
      else if (k === 'c') { if (copy()) e.preventDefault(); }
      else if (k === 'v') { e.preventDefault(); paste(); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save, undo, redo, copy, paste, rf]);

  useEffect(() => {
    if (!dirty) return undefined;
    const onUnload = (e) => { e.preventDefault(); e.returnValue = ''; };
    window.addEventListener('beforeunload', onUnload);
    const unblock = setNavigationBlocker(() => confirmDialog('This workflow has unsaved changes. Leave without saving them?', { ok: 'Leave without saving', cancel: 'Stay', danger: true }));
    return () => {
      window.removeEventListener('beforeunload', onUnload);
      unblock();
    };
  }, [dirty]);

  // --- Rendering -------------------------------------------------------------------------------

  const paint = useMemo(() => {
    const p = paintOn && debugResult ? debugPaint(debugResult) : { nodeState: {}, edgeState: {} };
    const probs = Object.fromEntries(Object.entries(problems.byNode).map(([id, list]) => [id, list.map((x) => (x.field ? `${x.field}: ${x.message}` : x.message))]));
    return { ...p, problems: probs, active: paintOn && !!debugResult };
  }, [paintOn, debugResult, problems]);

  const namesKey = nodes.map((n) => `${n.id}\u0000${nodeName(n)}`).join('\u0001');
  const nodeNames = useMemo(() => Object.fromEntries(nodes.map((n) => [n.id, nodeName(n)])), [namesKey]); // eslint-disable-line react-hooks/exhaustive-deps

  const selectNode = useCallback((id) => {
    setNodes((ns) => ns.map((n) => (n.selected !== (n.id === id) ? { ...n, selected: n.id === id } : n)));
    setSelectedId(id);
    const n = state.current.nodes.find((x) => x.id === id);
    if (n) rf.setCenter(n.position.x + 90, n.position.y + 30, { zoom: Math.max(rf.getZoom(), 0.8), duration: 200 });
  }, [rf]);

  if (loadError) {
    return <div className="page"><p className="crumbs"><Link to="/flows">Workflows</Link> /</p><ErrorBox error={loadError} /></div>;
  }
  if (!meta) return <Spinner label="Loading the workflow…" />;

  lockedRef.current = !!meta.lock;
  const selected = selectedId ? nodes.find((n) => n.id === selectedId) : null;
  const selectedEdge = !selected && selectedEdgeId ? edges.find((e) => e.id === selectedEdgeId) : null;
  const nProblems = problems.general.length + Object.values(problems.byNode).reduce((a, l) => a + l.length, 0);

  return (
    <div className="editor">
      <div className="titlebar">
        <div className="titlebar-left">
          <Link to="/flows" className="btn btn-ghost btn-small" aria-label="Back to workflows">← <span className="hide-narrow">Workflows</span></Link>
          <button type="button" className="flow-title" onClick={() => setMetaDialog(true)} title="Rename or edit tags">
            <h1>{meta.name || 'Untitled workflow'}</h1>
          </button>
          {dirty ? <span className="badge badge-warn" role="status">Unsaved</span> : <span className="badge badge-ok" role="status">Saved</span>}
          {meta.lock && <span className="badge">Locked</span>}
          <button type="button" className="link-btn small hide-narrow" onClick={() => setRuleDialog(true)} title="Rules that run this workflow">
            {rulesCount == null ? 'Rules' : `${rulesCount} rule${rulesCount === 1 ? '' : 's'}`} · add rule
          </button>
        </div>
        <div className="titlebar-actions" role="toolbar" aria-label="Workflow actions">
          <button type="button" className="btn btn-small" onClick={() => setPaletteOpen(!paletteOpen)} aria-pressed={paletteOpen}>Plugins</button>
          <button type="button" className="btn btn-small" onClick={undo} disabled={!history.current.canUndo} title="Undo (Ctrl+Z)">Undo</button>
          <button type="button" className="btn btn-small" onClick={redo} disabled={!history.current.canRedo} title="Redo (Ctrl+Y)">Redo</button>
          <button type="button" className="btn btn-small" onClick={layout} title="Arrange the nodes top to bottom">Auto-layout</button>
          <button type="button" className="btn btn-small" onClick={exportFlow} title="Download the workflow as JSON (Tracardi's format)">Export</button>
          <button type="button" className="btn btn-small" onClick={toggleLock} aria-pressed={meta.lock} title="A locked workflow cannot be edited">{meta.lock ? 'Unlock' : 'Lock'}</button>
          <button type="button" className={`btn btn-small ${debugOpen ? 'btn-on' : ''}`} onClick={() => setDebugOpen(!debugOpen)} aria-pressed={debugOpen}>Debug</button>
          <span className="sep" aria-hidden="true" />
          <BusyButton className="btn btn-small" onClick={() => save()} busy={!!busy} disabled={meta.lock} title="Save the draft (Ctrl+S)">{busy === 'save' ? 'Saving…' : 'Save draft'}</BusyButton>
          <BusyButton className="btn btn-small btn-primary" onClick={deploy} busy={!!busy} disabled={meta.lock} title="Save and put this version in production">{busy === 'deploy' ? 'Deploying…' : 'Deploy'}</BusyButton>
          <BusyButton className="btn btn-small" onClick={restoreProduction} busy={!!busy} disabled={meta.lock} title="Go back to the previous production version">{busy === 'restore' ? 'Restoring…' : 'Restore previous'}</BusyButton>
          <ReinstallButton className="btn btn-small" onDone={loadPlugins} />
        </div>
      </div>
      {stale && (
        <div className="editor-stale">
          <StaleNotice show onReload={() => setReloads((n) => n + 1)} what="This workflow" />
          <p className="muted small">Reloading drops the changes you made here; use Export first to keep a copy of them.</p>
        </div>
      )}
      {nProblems > 0 && (
        <div className="problems" role="alert">
          <strong>{nProblems} problem{nProblems > 1 ? 's' : ''}:</strong>
          <ul>
            {problems.general.map((p, i) => <li key={`g${i}`}>{p.edgeId ? `Edge ${p.edgeId.slice(0, 8)}: ` : ''}{p.message}</li>)}
            {Object.entries(problems.byNode).map(([id, list]) => list.map((p, i) => (
              <li key={`${id}${i}`}><button type="button" className="link-btn" onClick={() => selectNode(id)}>{nodeNames[id] || id}</button>{p.field ? <> · <code>{p.field}</code></> : null}: {p.message}</li>
            )))}
          </ul>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => setProblems({ byNode: {}, general: [] })}>Dismiss</button>
        </div>
      )}
      <div className={`editor-body ${paletteOpen ? 'with-palette' : ''} ${selected || selectedEdge ? 'with-panel' : ''}`}>
        {paletteOpen && <Palette grouped={plugins.grouped} loading={plugins.loading} error={plugins.error} onAdd={onPaletteAdd} onReload={loadPlugins} />}
        <div className="canvas" ref={wrapper} onDragOver={onDragOver} onDrop={onDrop}>
          <PaintContext.Provider value={paint}>
            <ReactFlow
              nodes={nodes}
              edges={edges}
              nodeTypes={nodeTypes}
              edgeTypes={edgeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onConnect={onConnect}
              onConnectEnd={onConnectEnd}
              isValidConnection={isValidConnection}
              onBeforeDelete={onBeforeDelete}
              onDelete={onDelete}
              onSelectionChange={onSelectionChange}
              onNodeDragStart={onNodeDragStart}
              onNodeDragStop={onNodeDragStop}
              deleteKeyCode={null}
              nodesDraggable={!meta.lock}
              nodesConnectable={!meta.lock}
              minZoom={0.1}
              maxZoom={2}
              snapToGrid
              snapGrid={[10, 10]}
              aria-label="Workflow canvas"
            >
              <Background gap={20} size={1} />
              <Controls showInteractive={false} />
              <MiniMap pannable zoomable className="hide-narrow" nodeStrokeWidth={2} style={{ width: 160, height: 110 }} />
            </ReactFlow>
          </PaintContext.Provider>
          {nodes.length === 0 && !plugins.loading && (
            <div className="canvas-hint">Drag plugins here from the palette, starting with <strong>Start</strong>. Join an output port (below a node) to an input port (above the next).</div>
          )}
        </div>
        {selected && (
          <NodePanel key={selected.id} node={selected} defaults={pluginIndex.get(selected.data?.spec?.id || selected.data?.spec?.module)?.plugin?.spec?.init}
            notInstalled={pluginIndex.size > 0 && !pluginIndex.get(selected.data?.spec?.id) && !pluginIndex.get(selected.data?.spec?.module)}
            problems={problems.byNode[selected.id]} onChange={updateNodeData}
            onDelete={deleteNode} onClose={() => selectNode(null)} readOnly={meta.lock}
            edges={edges} getNodes={getNodes} onConnectPorts={onConnect} onRemoveEdge={removeEdge} />
        )}
        {selectedEdge && (
          <aside className="node-panel" aria-label="Edge">
            <header className="node-panel-head">
              <div className="grow">
                <h2 className="panel-title">Edge</h2>
                <div className="muted small">
                  {nodeNames[selectedEdge.source]} · <code>{selectedEdge.sourceHandle}</code> → {nodeNames[selectedEdge.target]} · <code>{selectedEdge.targetHandle}</code>
                </div>
              </div>
              <button type="button" className="btn btn-small btn-icon" aria-label="Close panel" onClick={() => setEdges((es) => es.map((e) => (e.selected ? { ...e, selected: false } : e)))}>×</button>
            </header>
            <div className="node-panel-body">
              <label className="field-label" htmlFor="edge-name">Name</label>
              <input id="edge-name" className="input" value={selectedEdge.data?.name || ''} readOnly={meta.lock} placeholder="e.g. profile"
                onChange={(e) => renameEdge(selectedEdge.id, e.target.value)} />
              <p className="field-hint">A <strong>Join</strong> node keys each incoming payload by the name of the edge it came along.</p>
            </div>
            <footer className="node-panel-foot">
              <button type="button" className="btn btn-small btn-danger-ghost" disabled={meta.lock} onClick={() => rf.deleteElements({ edges: [{ id: selectedEdge.id }] })}>Delete edge</button>
            </footer>
          </aside>
        )}
      </div>
      {debugOpen && (
        <DebugPanel result={debugResult} running={running} onRun={runDebug} onSelectNode={selectNode} selectedId={selectedId}
          nodeNames={nodeNames} onClose={() => setDebugOpen(false)} />
      )}
      {metaDialog && (
        <FlowMetaDialog flow={meta} onClose={() => setMetaDialog(false)} onSaved={(m) => {
          setMetaDialog(false);
          setMeta((cur) => ({ ...cur, name: m.name ?? cur.name, description: m.description ?? cur.description, tags: m.tags ?? cur.tags, type: m.type ?? cur.type }));
          notify('Workflow details saved.');
        }} />
      )}
      {ruleDialog && (
        <RuleDialog presetFlow={meta} onClose={() => setRuleDialog(false)} onSaved={() => { setRuleDialog(false); notify('Rule saved.'); loadRules(); }} />
      )}
    </div>
  );
}

