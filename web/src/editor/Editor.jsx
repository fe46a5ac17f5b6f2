import { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import {
  Background, Controls, ControlButton, MiniMap, ReactFlow, ReactFlowProvider, applyEdgeChanges, applyNodeChanges, useReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { FlowMetaDialog } from '../components/FlowMetaDialog.jsx';
import { RuleDialog } from '../components/RuleDialog.jsx';
import { ErrorBox, Link, Spinner, StaleNotice, notify } from '../ui.jsx';
import { PaintContext } from './context.js';
import DebugPanel from './DebugPanel.jsx';
import EdgePanel from './EdgePanel.jsx';
import { edgeTypes, nodeTypes } from './FlowNode.jsx';
import { connectionProblem, debugPaint, deserializeFlow, hydrateNode, makeEdge, nodeName, pluginToNode } from './graph.js';
import { useClipboard } from './hooks/useClipboard.js';
import { useDebugPane } from './hooks/useDebugPane.js';
import { countProblems, useFlowActions } from './hooks/useFlowActions.js';
import { useFlowDocument } from './hooks/useFlowDocument.js';
import { useHistory } from './hooks/useHistory.js';
import { useLeaveGuard } from './hooks/useLeaveGuard.js';
import { useNodeProblems } from './hooks/useNodeProblems.js';
import { usePlugins } from './hooks/usePlugins.js';
import { useRules } from './hooks/useRules.js';
import { useShortcuts } from './hooks/useShortcuts.js';
import { autoLayout, nodeWidth } from './layout.js';
import NodePanel from './NodePanel.jsx';
import Palette, { DND_TYPE } from './Palette.jsx';
import ProblemsBar from './ProblemsBar.jsx';
import TitleBar from './TitleBar.jsx';

const KNOWN_TYPES = new Set(Object.keys(nodeTypes));
/**
 * How the view fits the graph: never below FIT_MIN_ZOOM, so that the port
 * labels stay readable (a large graph is then centred rather than shown whole).
 */
export const FIT_MIN_ZOOM = 0.85;
const FIT = { padding: 0.15, maxZoom: 1.2, minZoom: FIT_MIN_ZOOM };

function normalise(nodes) {
  return nodes.map((n) => (KNOWN_TYPES.has(n.type) ? n : { ...n, type: n.data?.start ? 'startNode' : 'flowNode' }));
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


export default function Editor({ flowId }) {
  return (
    <ReactFlowProvider>
      <EditorInner flowId={flowId} />
    </ReactFlowProvider>
  );
}

function EditorInner({ flowId }) {
  const rf = useReactFlow();
  const [nodes, setNodes] = useState([]);
  const [edges, setEdges] = useState([]);
  const [dirty, setDirty] = useState(false);
  const [selectedId, setSelectedId] = useState(null);
  const [selectedEdgeId, setSelectedEdgeId] = useState(null);
  const [paintOn, setPaintOn] = useState(false);
  const [dialog, setDialog] = useState(''); // '' | 'meta' | 'rule'
  const [paletteOpen, setPaletteOpen] = useState(() => window.innerWidth > 760);
  const [mapOpen, setMapOpen] = useState(() => window.innerWidth > 1100);
  const wrapper = useRef(null);
  const dragging = useRef(false);
  const { plugins, reloadPlugins, getIndex } = usePlugins(setNodes);
  const rules = useRules(flowId);

  // The latest graph and settings, for callbacks that run after a render
  // (keys, drops, saves); written after each commit, never during render.
  const latest = useRef({ nodes: [], edges: [], locked: false });
  const getState = useCallback(() => ({ nodes: latest.current.nodes, edges: latest.current.edges }), []);
  // React Flow's helpers change identity as it sets up; a fit must not
  // re-run the effects that depend on it (the load, the debugger's refit).
  const rfRef = useRef(rf);
  const fitSoon = useCallback((delay = 60, duration = 0) => setTimeout(() => rfRef.current.fitView({ ...FIT, duration }), delay), []);

  // --- History, clipboard, loading -----------------------------------------------------

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

  const showGraph = useCallback((flow) => {
    const g = deserializeFlow(flow);
    setNodes(normalise(g.nodes).map((n) => hydrateNode(n, getIndex())));
    setEdges(g.edges);
    setSelectedId(null);
    // React Flow queues a fit until nodes exist; with an empty graph it would
    // jump the view at the first node the user drops, so fit only a graph.
    if (g.nodes.length) fitSoon();
  }, [fitSoon, getIndex]);
  const onLoaded = useCallback((flow) => {
    showGraph(flow);
    clearHistory();
    setDirty(false);
  }, [showGraph, clearHistory]);
  const doc = useFlowDocument(flowId, onLoaded);
  const { meta } = doc;

  useLayoutEffect(() => {
    latest.current = { nodes, edges, locked: !!meta?.lock };
    rfRef.current = rf;
  }, [nodes, edges, meta, rf]);

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
    if (latest.current.locked) { notify('This workflow is locked: unlock it to edit.', 'error'); return; }
    const node = pluginToNode(rec, { x: center.x - nodeWidth({ data: rec.plugin }) / 2, y: center.y - 30 });
    record();
    setNodes((ns) => [...ns.map((n) => (n.selected ? { ...n, selected: false } : n)), { ...node, selected: true }]);
    setEdges((es) => es.map((e) => (e.selected ? { ...e, selected: false } : e)));
    setSelectedId(node.id);
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
    const rec = getIndex().get(id);
    if (!rec) { notify('This plugin is no longer installed.', 'error'); return; }
    addNode(rec, rf.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
  }, [addNode, rf, getIndex]);

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
  const unselectEdges = useCallback(() => setEdges((es) => es.map((e) => (e.selected ? { ...e, selected: false } : e))), []);

  const layout = useCallback(() => {
    const { nodes: ns, edges: es } = latest.current;
    if (!ns.length) return;
    const pos = autoLayout(ns, es);
    record();
    setNodes(ns.map((n) => ({ ...n, position: pos[n.id] || n.position })));
    fitSoon(30, 200);
  }, [record, fitSoon]);

  const selectNode = useCallback((id) => {
    setNodes((ns) => ns.map((n) => (n.selected !== (n.id === id) ? { ...n, selected: n.id === id } : n)));
    setSelectedId(id);
    const n = latest.current.nodes.find((x) => x.id === id);
    if (n) rf.setCenter(n.position.x + 90, n.position.y + 30, { zoom: Math.max(rf.getZoom(), 0.8), duration: 200 });
  }, [rf]);

  // --- Problems, save, deploy, restore, debug ---------------------------------------------

  const live = useNodeProblems(nodes, plugins.index);
  const onSaved = useCallback(() => setDirty(false), []);
  const onRestored = useCallback((flow) => {
    record();
    showGraph(flow);
    setDirty(true);
  }, [record, showGraph]);
  const onDebugged = useCallback(() => setPaintOn(true), []);
  const liveProblems = useMemo(() => ({ byNode: live.byNode, general: [] }), [live.byNode]);
  const actions = useFlowActions({ flowId, doc, getState, problems: liveProblems, onSaved, onRestored, onDebugged });
  const problems = useMemo(() => mergeProblems(actions.reported, liveProblems), [actions.reported, liveProblems]);
  const debug = useDebugPane(fitSoon);

  useShortcuts({ save: actions.save, undo: history.undo, redo: history.redo, copy, paste, deleteSelection, locked: !!meta?.lock });
  useLeaveGuard(dirty);

  // --- Rendering -------------------------------------------------------------------------------

  const paint = useMemo(() => {
    const p = paintOn && actions.debugResult ? debugPaint(actions.debugResult) : { nodeState: {}, edgeState: {} };
    const probs = Object.fromEntries(Object.entries(problems.byNode).map(([id, list]) => [id, list.map((x) => (x.field ? `${x.field}: ${x.message}` : x.message))]));
    return { ...p, problems: probs, active: paintOn && !!actions.debugResult };
  }, [paintOn, actions.debugResult, problems]);

  const namesKey = nodes.map((n) => `${n.id}\u0000${nodeName(n)}`).join('\u0001');
  const nodeNames = useMemo(() => Object.fromEntries(namesKey ? namesKey.split('\u0001').map((s) => s.split('\u0000')) : []), [namesKey]);

  if (doc.loadError) {
    return <div className="page"><p className="crumbs"><Link to="/flows">Workflows</Link> /</p><ErrorBox error={doc.loadError} /></div>;
  }
  if (!meta) return <Spinner label="Loading the workflow…" />;

  const selected = selectedId ? nodes.find((n) => n.id === selectedId) : null;
  const selectedEdge = !selected && selectedEdgeId ? edges.find((e) => e.id === selectedEdgeId) : null;
  const nProblems = countProblems(problems);
  const selectedPlugin = selected ? plugins.index.get(selected.data?.spec?.id) || plugins.index.get(selected.data?.spec?.module) : null;

  return (
    <div className="editor">
      <TitleBar meta={meta} dirty={dirty} status={doc.status} rulesCount={rules.count}
        onEditMeta={() => setDialog('meta')} onAddRule={() => setDialog('rule')}
        paletteOpen={paletteOpen} onTogglePalette={() => setPaletteOpen((o) => !o)}
        canUndo={history.canUndo} canRedo={history.canRedo} onUndo={history.undo} onRedo={history.redo} onLayout={layout}
        debugOpen={debug.open} onToggleDebug={() => debug.setOpen((o) => !o)}
        busy={actions.busy} onSave={() => actions.save()} onDeploy={actions.deploy} onExport={actions.exportFlow} onToggleLock={actions.toggleLock}
        onRestore={actions.restoreProduction} onPluginsReinstalled={reloadPlugins} />
      {doc.stale && (
        <div className="editor-stale">
          <StaleNotice show onReload={doc.reload} what="This workflow" />
          <p className="muted small">Reloading drops the changes you made here; use Export first to keep a copy of them.</p>
        </div>
      )}
      {actions.showProblems && nProblems > 0 && (
        <ProblemsBar problems={problems} count={nProblems} nodeNames={nodeNames} onSelectNode={selectNode} onDismiss={actions.dismissProblems} />
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
            notInstalled={plugins.index.size > 0 && !plugins.index.get(selected.data?.spec?.id) && !plugins.index.get(selected.data?.spec?.module)}
            problems={problems.byNode[selected.id]} checking={live.checking.has(selected.id)} onChange={updateNodeData}
            onDelete={deleteNode} onClose={() => selectNode(null)} readOnly={meta.lock}
            edges={edges} getNodes={getNodes} onConnectPorts={onConnect} onRemoveEdge={removeEdge} />
        )}
        {selectedEdge && (
          <EdgePanel edge={selectedEdge} nodeNames={nodeNames} readOnly={meta.lock} onRename={renameEdge} onDelete={removeEdge} onClose={unselectEdges} />
        )}
      </div>
      {debug.open && (
        <DebugPanel result={actions.debugResult} running={actions.running} onRun={actions.runDebug} onSelectNode={selectNode} selectedId={selectedId}
          nodeNames={nodeNames} onClose={() => debug.setOpen(false)} height={debug.height} onResize={debug.setHeight} />
      )}
      {dialog === 'meta' && (
        <FlowMetaDialog flow={meta} onClose={() => setDialog('')} onSaved={(m) => {
          setDialog('');
          doc.setMeta((cur) => ({ ...cur, name: m.name ?? cur.name, description: m.description ?? cur.description, tags: m.tags ?? cur.tags, type: m.type ?? cur.type }));
          notify('Workflow details saved.');
        }} />
      )}
      {dialog === 'rule' && (
        <RuleDialog presetFlow={meta} onClose={() => setDialog('')} onSaved={() => { setDialog(''); notify('Rule saved.'); rules.reload(); }} />
      )}
    </div>
  );
}
