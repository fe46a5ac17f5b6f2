import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import {
  Background, Controls, ControlButton, MiniMap, ReactFlow, ReactFlowProvider, applyEdgeChanges, applyNodeChanges, useReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import * as api from '../api.js';
import { setNavigationBlocker } from '../router.js';
import { FlowMetaDialog } from '../components/FlowMetaDialog.jsx';
import { RuleDialog } from '../components/RuleDialog.jsx';
import { ErrorBox, Link, Spinner, StaleNotice, confirmDialog, notify, notifyError } from '../ui.jsx';
import { PaintContext } from './context.js';
import DebugPanel from './DebugPanel.jsx';
import EdgePanel from './EdgePanel.jsx';
import { edgeTypes, nodeTypes } from './FlowNode.jsx';
import {
  connectionProblem, debugPaint, deserializeFlow, hydrateNode, makeEdge, nodeName, pluginLookup, pluginToNode, serializeFlow,
} from './graph.js';
import { useClipboard } from './hooks/useClipboard.js';
import { useHistory } from './hooks/useHistory.js';
import { useNodeProblems } from './hooks/useNodeProblems.js';
import { useShortcuts } from './hooks/useShortcuts.js';
import { autoLayout, nodeWidth } from './layout.js';
import NodePanel from './NodePanel.jsx';
import Palette, { DND_TYPE } from './Palette.jsx';
import TitleBar from './TitleBar.jsx';

const KNOWN_TYPES = new Set(Object.keys(nodeTypes));
/**
 * How the view fits the graph: never below FIT_MIN_ZOOM, so that the port
 * labels stay readable (a large graph is then centred rather than shown whole).
 */
export const FIT_MIN_ZOOM = 0.85;
const FIT = { padding: 0.15, maxZoom: 1.2, minZoom: FIT_MIN_ZOOM };
const NO_PROBLEMS = { byNode: {}, general: [] };

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

/** Problems of two sources in one {byNode, general}, without repeating a message of a field. */
function mergeProblems(a, b) {
  const byNode = { ...a.byNode };
  for (const [id, list] of Object.entries(b.byNode)) {
    const have = byNode[id] || [];
    const fields = new Set(have.map((p) => p.field));
    byNode[id] = [...have, ...list.filter((p) => !fields.has(p.field))];
  }
  return { byNode, general: [...a.general, ...b.general] };
}

const countProblems = (p) => p.general.length + Object.values(p.byNode).reduce((a, l) => a + l.length, 0);

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
  const [status, setStatus] = useState('draft');
  // The version of the draft this editor shows; saves and deploys send it,
  // so that the server refuses them (409) when someone else saved since.
  const draftVersion = useRef(0);
  const [stale, setStale] = useState(false);
  const [reloads, setReloads] = useState(0);
  const [nodes, setNodes] = useState([]);
  const [edges, setEdges] = useState([]);
  const [dirty, setDirty] = useState(false);
  const [loadError, setLoadError] = useState(null);
  const [plugins, setPlugins] = useState({ grouped: null, index: new Map(), loading: true, error: null });
  const [selectedId, setSelectedId] = useState(null);
  const [selectedEdgeId, setSelectedEdgeId] = useState(null);
  const [debugOpen, setDebugOpen] = useState(false);
  const [debugHeight, setDebugHeight] = useState(() => Math.round(Math.min(320, Math.max(220, window.innerHeight * 0.34))));
  const [debugResult, setDebugResult] = useState(null);
  const [paintOn, setPaintOn] = useState(false);
  const [running, setRunning] = useState(false);
  const [reported, setReported] = useState(NO_PROBLEMS); // from the last deploy, debug run or save
  const [showProblems, setShowProblems] = useState(false);
  const [busy, setBusy] = useState('');
  const [dialog, setDialog] = useState(''); // '' | 'meta' | 'rule'
  const [rulesCount, setRulesCount] = useState(null);
  const [paletteOpen, setPaletteOpen] = useState(() => window.innerWidth > 760);
  const [mapOpen, setMapOpen] = useState(() => window.innerWidth > 1100);
  const wrapper = useRef(null);
  const dragging = useRef(false);
  // The latest graph and settings, for callbacks that run after a render
  // (keys, drops, saves); written after each commit, never during render.
  const latest = useRef({ nodes: [], edges: [], locked: false, index: new Map() });
  useLayoutEffect(() => {
    latest.current = { nodes, edges, locked: !!meta?.lock, index: plugins.index };
  }, [nodes, edges, meta, plugins.index]);
  const getState = useCallback(() => ({ nodes: latest.current.nodes, edges: latest.current.edges }), []);

  // --- History, clipboard ---------------------------------------------------------

  const restoreSnapshot = useCallback((snap) => {
    setNodes(snap.nodes);
    setEdges(snap.edges);
    setDirty(true);
  }, []);
  const history = useHistory(getState, restoreSnapshot);
  const { record: recordHistory, clear: clearHistory } = history;
  const record = useCallback((key) => {
    recordHistory(key);
    setDirty(true);
    setPaintOn(false);
  }, [recordHistory]);
  const { copy, paste } = useClipboard(getState, record, setNodes, setEdges);

  // --- Loading ------------------------------------------------------------------------

  const fetchPlugins = useCallback(() => api.listPlugins('').then((r) => {
    const grouped = r?.grouped || {};
    const index = pluginLookup(grouped);
    setPlugins({ grouped, index, loading: false, error: null });
    // Nodes of imported flows may carry only their module and config: fill
    // in ports, form and docs from the installed plugins.
    setNodes((ns) => (ns.some((n) => hydrateNode(n, index) !== n) ? ns.map((n) => hydrateNode(n, index)) : ns));
  }, (error) => setPlugins((p) => ({ ...p, grouped: null, loading: false, error }))), []);
  const reloadPlugins = useCallback(() => {
    setPlugins((p) => ({ ...p, loading: true, error: null }));
    fetchPlugins();
  }, [fetchPlugins]);

  const loadRules = useCallback(() => api.rulesByFlow(flowId).then(
    (r) => setRulesCount(r?.total ?? api.rows(r).length), () => setRulesCount(null)), [flowId]);

  // React Flow's helpers change identity as it sets up; a fit must not
  // re-run the effects that depend on it (the load, the debugger's refit).
  const rfRef = useRef(rf);
  useLayoutEffect(() => { rfRef.current = rf; }, [rf]);
  const fitSoon = useCallback((delay = 60, duration = 0) => setTimeout(() => rfRef.current.fitView({ ...FIT, duration }), delay), []);

  const showGraph = useCallback((flow) => {
    const g = deserializeFlow(flow);
    setNodes(normalise(g.nodes).map((n) => hydrateNode(n, latest.current.index)));
    setEdges(g.edges);
    setSelectedId(null);
    // React Flow queues a fit until nodes exist; with an empty graph it would
    // jump the view at the first node the user drops, so fit only a graph.
    if (g.nodes.length) fitSoon();
  }, [fitSoon]);

  const readStatus = useCallback(() => api.getFlowMetadata(flowId).then((m) => setStatus(m?.status || 'draft'), () => {}), [flowId]);

  useEffect(() => {
    let cancelled = false;
    const draft = api.getDraft(flowId).catch((e) => { if (e.status !== 404) throw e; return null; });
    draft.then(async (flow) => {
      if (!flow || !flow.name) {
        const m = await api.getFlowMetadata(flowId);
        flow = { ...m, ...(flow || {}), name: flow?.name || m?.name, status: flow?.status || m?.status };
      }
      return flow;
    }).then((flow) => {
      if (cancelled) return;
      draftVersion.current = flow.version ?? 0;
      setMeta({ id: flow.id || flowId, name: flow.name || '', description: flow.description || '', tags: flow.tags || [], type: flow.type || 'collection', lock: !!flow.lock });
      setStatus(flow.status || 'draft');
      showGraph(flow);
      clearHistory();
      setDirty(false);
      setStale(false);
    }).catch((e) => { if (!cancelled) setLoadError(e); });
    fetchPlugins();
    loadRules();
    return () => { cancelled = true; };
  }, [flowId, fetchPlugins, loadRules, showGraph, reloads, clearHistory]);

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
    setSelectedId((id) => (gone.some((n) => n.id === id) ? null : id));
  }, []);
  const isValidConnection = useCallback((c) => !connectionProblem(c, latest.current.nodes, latest.current.edges), []);

  const onConnect = useCallback((c) => {
    const problem = connectionProblem(c, latest.current.nodes, latest.current.edges);
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
    const problem = connectionProblem({ source: out.nodeId, sourceHandle: out.id, target: inp.nodeId, targetHandle: inp.id }, latest.current.nodes, latest.current.edges);
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

  const addNode = useCallback((rec, center) => {
    if (latest.current.locked) { notify('This workflow is locked: unlock it to edit.', 'error'); return null; }
    const node = pluginToNode(rec, { x: center.x - nodeWidth({ data: rec.plugin }) / 2, y: center.y - 30 });
    record();
    setNodes((ns) => [...ns.map((n) => (n.selected ? { ...n, selected: false } : n)), { ...node, selected: true }]);
    setEdges((es) => es.map((e) => (e.selected ? { ...e, selected: false } : e)));
    setSelectedId(node.id);
    return node;
  }, [record]);

  const onPaletteAdd = useCallback((rec) => {
    const r = wrapper.current.getBoundingClientRect();
    const c = rf.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 });
    const n = latest.current.nodes.length;
    addNode(rec, { x: c.x + (n % 5) * 12, y: c.y + (n % 5) * 12 });
  }, [addNode, rf]);

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
    const rec = latest.current.index.get(id);
    if (!rec) { notify('This plugin is no longer installed.', 'error'); return; }
    addNode(rec, rf.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
  }, [addNode, rf]);

  const updateNodeData = useCallback((id, data, key) => {
    record(key);
    setNodes((ns) => ns.map((n) => (n.id === id ? { ...n, data } : n)));
  }, [record]);

  const getNodes = useCallback(() => latest.current.nodes, []);
  const removeEdge = useCallback((id) => rf.deleteElements({ edges: [{ id }] }), [rf]);
  const deleteNode = useCallback((id) => rf.deleteElements({ nodes: [{ id }] }), [rf]);
  const deleteSelection = useCallback(() => {
    const selNodes = latest.current.nodes.filter((n) => n.selected);
    const selEdges = latest.current.edges.filter((x) => x.selected);
    if (!selNodes.length && !selEdges.length) return false;
    rf.deleteElements({ nodes: selNodes.map((n) => ({ id: n.id })), edges: selEdges.map((x) => ({ id: x.id })) });
    return true;
  }, [rf]);

  const layout = useCallback(() => {
    const { nodes: ns, edges: es } = latest.current;
    if (!ns.length) return;
    const pos = autoLayout(ns, es);
    record();
    setNodes(ns.map((n) => ({ ...n, position: pos[n.id] || n.position })));
    fitSoon(30, 200);
  }, [record, fitSoon]);

  // --- Problems of the configurations, as one edits ---------------------------------------

  const live = useNodeProblems(nodes, plugins.index);
  const problems = useMemo(() => mergeProblems(reported, { byNode: live.byNode, general: [] }), [reported, live.byNode]);

  // --- Save, deploy, restore, debug ---------------------------------------------------

  const currentFlow = useCallback(() => ({ ...serializeFlow(meta, latest.current.nodes, latest.current.edges), version: draftVersion.current }), [meta]);

  const applyProblems = useCallback((errors) => {
    const p = groupProblems(errors);
    setReported(p);
    setShowProblems(countProblems(p) > 0);
    return p;
  }, []);

  const save = useCallback(async ({ quiet = false } = {}) => {
    if (!meta) return false;
    setBusy('save');
    try {
      const saved = await api.saveDraft(currentFlow());
      if (saved && typeof saved.version === 'number') draftVersion.current = saved.version;
      setDirty(false);
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
  }, [meta, currentFlow, problems, readStatus]);

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
      readStatus();
    }
  }, [save, currentFlow, applyProblems, readStatus]);

  const restoreProduction = useCallback(async () => {
    if (!(await confirmDialog('Make the previous production version the current one again? Deployed rules will run it from now on.', { ok: 'Restore' }))) return;
    setBusy('restore');
    try {
      const flow = await api.restoreProduction(flowId);
      readStatus();
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
  }, [flowId, record, showGraph, readStatus]);

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

  // --- Keyboard, leaving with unsaved changes, the debugger's size -------------------------

  useShortcuts({ save, undo: history.undo, redo: history.redo, copy, paste, deleteSelection, locked: !!meta?.lock });

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

  // The canvas changes size when the debugger opens, closes or is resized: fit the graph again.
  const firstLayout = useRef(true);
  useEffect(() => {
    if (firstLayout.current) { firstLayout.current = false; return undefined; }
    const t = fitSoon(80, 150);
    return () => clearTimeout(t);
  }, [debugOpen, debugHeight, fitSoon]);

  // --- Rendering -------------------------------------------------------------------------------

  const paint = useMemo(() => {
    const p = paintOn && debugResult ? debugPaint(debugResult) : { nodeState: {}, edgeState: {} };
    const probs = Object.fromEntries(Object.entries(problems.byNode).map(([id, list]) => [id, list.map((x) => (x.field ? `${x.field}: ${x.message}` : x.message))]));
    return { ...p, problems: probs, active: paintOn && !!debugResult };
  }, [paintOn, debugResult, problems]);

  const namesKey = nodes.map((n) => `${n.id}\u0000${nodeName(n)}`).join('\u0001');
  const nodeNames = useMemo(() => Object.fromEntries(namesKey ? namesKey.split('\u0001').map((s) => s.split('\u0000')) : []), [namesKey]);

  const selectNode = useCallback((id) => {
    setNodes((ns) => ns.map((n) => (n.selected !== (n.id === id) ? { ...n, selected: n.id === id } : n)));
    setSelectedId(id);
    const n = latest.current.nodes.find((x) => x.id === id);
    if (n) rf.setCenter(n.position.x + 90, n.position.y + 30, { zoom: Math.max(rf.getZoom(), 0.8), duration: 200 });
  }, [rf]);
  const unselectEdges = useCallback(() => setEdges((es) => es.map((e) => (e.selected ? { ...e, selected: false } : e))), []);

  if (loadError) {
    return <div className="page"><p className="crumbs"><Link to="/flows">Workflows</Link> /</p><ErrorBox error={loadError} /></div>;
  }
  if (!meta) return <Spinner label="Loading the workflow…" />;

  const selected = selectedId ? nodes.find((n) => n.id === selectedId) : null;
  const selectedEdge = !selected && selectedEdgeId ? edges.find((e) => e.id === selectedEdgeId) : null;
  const nProblems = countProblems(problems);
  const selectedPlugin = selected ? plugins.index.get(selected.data?.spec?.id || selected.data?.spec?.module) : null;

  return (
    <div className="editor">
      <TitleBar meta={meta} dirty={dirty} status={status} rulesCount={rulesCount}
        onEditMeta={() => setDialog('meta')} onAddRule={() => setDialog('rule')}
        paletteOpen={paletteOpen} onTogglePalette={() => setPaletteOpen((o) => !o)}
        canUndo={history.canUndo} canRedo={history.canRedo} onUndo={history.undo} onRedo={history.redo} onLayout={layout}
        debugOpen={debugOpen} onToggleDebug={() => setDebugOpen((o) => !o)}
        busy={busy} onSave={() => save()} onDeploy={deploy} onExport={exportFlow} onToggleLock={toggleLock} onRestore={restoreProduction}
        onPluginsReinstalled={reloadPlugins} />
      {stale && (
        <div className="editor-stale">
          <StaleNotice show onReload={() => setReloads((n) => n + 1)} what="This workflow" />
          <p className="muted small">Reloading drops the changes you made here; use Export first to keep a copy of them.</p>
        </div>
      )}
      {showProblems && nProblems > 0 && (
        <div className="problems" role="alert">
          <strong>{nProblems} problem{nProblems > 1 ? 's' : ''}:</strong>
          <ul>
            {problems.general.map((p, i) => <li key={`g${i}`}>{p.edgeId ? `Edge ${p.edgeId.slice(0, 8)}: ` : ''}{p.message}</li>)}
            {Object.entries(problems.byNode).map(([id, list]) => list.map((p, i) => (
              <li key={`${id}${i}`}><button type="button" className="link-btn" onClick={() => selectNode(id)}>{nodeNames[id] || id}</button>{p.field ? <> · <code>{p.field}</code></> : null}: {p.message}</li>
            )))}
          </ul>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => { setReported(NO_PROBLEMS); setShowProblems(false); }}>Dismiss</button>
        </div>
      )}
      <div className={`editor-body ${paletteOpen ? 'with-palette' : ''} ${selected || selectedEdge ? 'with-panel' : ''}`}>
        {paletteOpen && <Palette grouped={plugins.grouped} loading={plugins.loading} error={plugins.error} onAdd={onPaletteAdd} onReload={reloadPlugins} />}
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
              <Controls showInteractive={false} fitViewOptions={FIT}>
                <ControlButton onClick={() => setMapOpen((o) => !o)} aria-pressed={mapOpen} aria-label={mapOpen ? 'Hide the minimap' : 'Show the minimap'} title={mapOpen ? 'Hide the minimap' : 'Show the minimap'}>
                  <svg viewBox="0 0 16 16" aria-hidden="true"><path d="M1 3l4.5-1.5 5 1.5L15 1.5V13l-4.5 1.5-5-1.5L1 14.5z M5.5 1.5v11.5 M10.5 3v11.5" fill="none" stroke="currentColor" strokeWidth="1.3" /></svg>
                </ControlButton>
              </Controls>
              {mapOpen && <MiniMap position="top-right" pannable zoomable className="hide-narrow" nodeStrokeWidth={2} style={{ width: 150, height: 100 }} ariaLabel="Minimap" />}
            </ReactFlow>
          </PaintContext.Provider>
          {nodes.length === 0 && !plugins.loading && (
            <div className="canvas-hint">Drag plugins here from the palette, starting with <strong>Start</strong>. Join an output port (below a node) to an input port (above the next).</div>
          )}
        </div>
        {selected && (
          <NodePanel key={selected.id} node={selected} plugin={selectedPlugin?.plugin} defaults={selectedPlugin?.plugin?.spec?.init}
            problems={problems.byNode[selected.id]} checking={live.checking.has(selected.id)} onChange={updateNodeData}
            onDelete={deleteNode} onClose={() => selectNode(null)} readOnly={meta.lock}
            edges={edges} getNodes={getNodes} onConnectPorts={onConnect} onRemoveEdge={removeEdge} />
        )}
        {selectedEdge && (
          <EdgePanel edge={selectedEdge} nodeNames={nodeNames} readOnly={meta.lock} onRename={renameEdge} onDelete={removeEdge} onClose={unselectEdges} />
        )}
      </div>
      {debugOpen && (
        <DebugPanel result={debugResult} running={running} onRun={runDebug} onSelectNode={selectNode} selectedId={selectedId}
          nodeNames={nodeNames} onClose={() => setDebugOpen(false)} height={debugHeight} onResize={setDebugHeight} />
      )}
      {dialog === 'meta' && (
        <FlowMetaDialog flow={meta} onClose={() => setDialog('')} onSaved={(m) => {
          setDialog('');
          setMeta((cur) => ({ ...cur, name: m.name ?? cur.name, description: m.description ?? cur.description, tags: m.tags ?? cur.tags, type: m.type ?? cur.type }));
          notify('Workflow details saved.');
        }} />
      )}
      {dialog === 'rule' && (
        <RuleDialog presetFlow={meta} onClose={() => setDialog('')} onSaved={() => { setDialog(''); notify('Rule saved.'); loadRules(); }} />
      )}
    </div>
  );
}
