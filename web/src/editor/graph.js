// Pure functions on the flow graph: node creation from a plugin record,
// connection rules, (de)serialisation in Tracardi's flow format, clipboard
// and debug painting. No React here, so they are unit-tested directly.

/** A random id; works outside secure contexts too. */
export function newId() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

export const nodeInputs = (node) => node?.data?.spec?.inputs || [];
export const nodeOutputs = (node) => node?.data?.spec?.outputs || [];
export const nodeName = (node) => node?.data?.metadata?.name || node?.data?.spec?.className || 'Node';

/** A new node for a plugin record ({id, plugin: {start, debug, spec, metadata}}) at position. */
export function pluginToNode(record, position) {
  const plugin = clone(record.plugin || record);
  plugin.spec = plugin.spec || {};
  plugin.spec.init = plugin.spec.init ?? {};
  if (!plugin.spec.id && record.id) plugin.spec.id = record.id;
  return {
    id: newId(),
    type: plugin.metadata?.type || 'flowNode',
    position: { x: Math.round(position.x), y: Math.round(position.y) },
    data: plugin,
  };
}

/** True when target can reach source along edges, i.e. source→target would close a cycle. */
export function wouldCycle(edges, source, target) {
  if (source === target) return true;
  const out = new Map();
  for (const e of edges) {
    if (!out.has(e.source)) out.set(e.source, []);
    out.get(e.source).push(e.target);
  }
  const seen = new Set([target]);
  const stack = [target];
  while (stack.length) {
    const n = stack.pop();
    for (const m of out.get(n) || []) {
      if (m === source) return true;
      if (!seen.has(m)) {
        seen.add(m);
        stack.push(m);
      }
    }
  }
  return false;
}

/**
 * Why a connection is refused, or null when it is allowed. Edges join an
 * output port to an input port of another node, once, without cycles.
 */
export function connectionProblem(conn, nodes, edges) {
  const { source, target, sourceHandle, targetHandle } = conn;
  if (!source || !target) return 'Connect an output port to an input port.';
  if (source === target) return 'A node cannot be connected to itself.';
  const byId = nodes instanceof Map ? nodes : new Map(nodes.map((n) => [n.id, n]));
  const s = byId.get(source);
  const t = byId.get(target);
  if (!s || !t) return 'Both nodes must exist.';
  if (!nodeOutputs(s).includes(sourceHandle)) return `"${sourceHandle}" is not an output port of ${nodeName(s)}.`;
  if (!nodeInputs(t).includes(targetHandle)) return `"${targetHandle}" is not an input port of ${nodeName(t)}.`;
  if (edges.some((e) => e.source === source && e.target === target && e.sourceHandle === sourceHandle && e.targetHandle === targetHandle)) {
    return 'These ports are already connected.';
  }
  if (wouldCycle(edges, source, target)) return 'This connection would make a cycle; flows must not loop.';
  return null;
}

export function makeEdge(conn) {
  return {
    id: newId(),
    source: conn.source,
    sourceHandle: conn.sourceHandle,
    target: conn.target,
    targetHandle: conn.targetHandle,
    type: 'default',
    data: { name: '' },
  };
}

/** The flow in Tracardi's format, without editor-only state (selection, paint). */
export function serializeFlow(meta, nodes, edges) {
  return {
    id: meta.id,
    name: meta.name,
    description: meta.description || '',
    tags: meta.tags || [],
    type: meta.type || 'collection',
    flowGraph: {
      nodes: nodes.map((n) => ({
        id: n.id,
        type: n.type || 'flowNode',
        position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
        data: n.data,
      })),
      edges: edges.map((e) => ({
        id: e.id,
        source: e.source,
        sourceHandle: e.sourceHandle,
        target: e.target,
        targetHandle: e.targetHandle,
        type: e.type || 'default',
        data: e.data || { name: '' },
      })),
    },
  };
}

/** Nodes and edges from a stored flow; tolerant of missing pieces. */
export function deserializeFlow(flow) {
  const g = flow?.flowGraph || {};
  const nodes = (g.nodes || []).map((n) => ({
    id: String(n.id),
    type: n.type || n.data?.metadata?.type || 'flowNode',
    position: { x: Number(n.position?.x) || 0, y: Number(n.position?.y) || 0 },
    data: { ...n.data, spec: { ...(n.data?.spec || {}), init: n.data?.spec?.init ?? {} }, metadata: n.data?.metadata || {} },
  }));
  const ids = new Set(nodes.map((n) => n.id));
  const edges = (g.edges || [])
    .filter((e) => ids.has(String(e.source)) && ids.has(String(e.target)))
    .map((e) => ({
      id: String(e.id || newId()),
      source: String(e.source),
      sourceHandle: e.sourceHandle,
      target: String(e.target),
      targetHandle: e.targetHandle,
      type: 'default',
      data: e.data || { name: '' },
    }));
  return { nodes, edges };
}

/** The selected nodes and the edges between them, as a clipboard payload. */
export function copySelection(nodes, edges) {
  const sel = nodes.filter((n) => n.selected);
  const ids = new Set(sel.map((n) => n.id));
  return {
    kind: 'tracflow/nodes',
    nodes: sel.map((n) => ({ id: n.id, type: n.type, position: n.position, data: clone(n.data) })),
    edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => ({ ...e, selected: false })),
  };
}

/** Copies of the clipboard's nodes and edges with new ids, moved by offset, selected. */
export function pasteClipboard(clip, offset = { x: 40, y: 40 }) {
  if (!clip || clip.kind !== 'tracflow/nodes' || !Array.isArray(clip.nodes)) return { nodes: [], edges: [] };
  const map = new Map();
  const nodes = clip.nodes.map((n) => {
    const id = newId();
    map.set(n.id, id);
    return {
      id,
      type: n.type,
      position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
      data: clone(n.data),
      selected: true,
    };
  });
  const edges = (clip.edges || []).map((e) => ({
    ...e,
    id: newId(),
    source: map.get(e.source),
    target: map.get(e.target),
    selected: false,
  }));
  return { nodes, edges };
}

/**
 * What the debugger says of each node and edge. Edges: any true in
 * active = "fired", only false = "void", absent = "dead". Nodes: "error" when
 * a call failed or the run reported an error for it, "ran" when it ran.
 */
export function debugPaint(result) {
  const nodeState = {};
  const edgeState = {};
  const info = result?.debugInfo || {};
  for (const [id, n] of Object.entries(info.nodes || {})) {
    const failed = (n.calls || []).some((c) => c.error) || (n.errors && (Array.isArray(n.errors) ? n.errors.length : n.errors > 0));
    nodeState[id] = failed ? 'error' : 'ran';
  }
  for (const e of result?.errors || []) {
    if (e.nodeId) nodeState[e.nodeId] = 'error';
  }
  for (const [id, e] of Object.entries(info.edges || {})) {
    const active = Array.isArray(e.active) ? e.active : [e.active];
    edgeState[id] = active.some((a) => a === true) ? 'fired' : 'void';
  }
  return { nodeState, edgeState };
}

/** Node debug records in the order they ran. */
export function debugNodesInOrder(result) {
  const nodes = Object.values(result?.debugInfo?.nodes || {});
  return nodes.sort((a, b) => (a.sequenceNumber ?? 0) - (b.sequenceNumber ?? 0) || (a.executionNumber ?? 0) - (b.executionNumber ?? 0));
}

/** Checks an exported flow file; returns [flow, null] or [null, message]. */
export function readFlowFile(text) {
  let flow;
  try {
    flow = JSON.parse(text);
  } catch (e) {
    return [null, `This file is not JSON: ${e.message}`];
  }
  if (!flow || typeof flow !== 'object' || Array.isArray(flow)) return [null, 'Expected a JSON object with a flowGraph.'];
  const g = flow.flowGraph;
  if (!g || !Array.isArray(g.nodes) || !Array.isArray(g.edges || [])) {
    return [null, 'No flow graph here: expected {"name", "flowGraph": {"nodes": [...], "edges": [...]}}, as Tracflow and Tracardi export it.'];
  }
  return [flow, null];
}

/** Index of plugin records by id, module and alias (Tracardi's module names). */
export function pluginLookup(grouped) {
  const m = new Map();
  for (const list of Object.values(grouped || {})) {
    for (const r of list) {
      const spec = r.plugin?.spec || {};
      for (const k of [r.id, spec.module, ...(spec.aliases || [])]) if (k && !m.has(k)) m.set(k, r);
    }
  }
  return m;
}

/**
 * Fills what an imported or abbreviated node lacks (ports, form, docs, icon)
 * from its installed plugin; the node's own values (config, name, flags)
 * win. Returns the same node when nothing is missing.
 */
export function hydrateNode(node, lookup) {
  const spec = node.data?.spec || {};
  const rec = lookup.get(spec.id) || lookup.get(spec.module);
  if (!rec) return node;
  const p = rec.plugin || {};
  const meta = node.data?.metadata || {};
  const missing = !Array.isArray(spec.inputs) || !Array.isArray(spec.outputs) || !spec.form && p.spec?.form ||
    !meta.documentation && p.metadata?.documentation || !meta.icon || !meta.name;
  if (!missing) return node;
  return {
    ...node,
    data: {
      ...node.data,
      start: node.data?.start ?? p.start,
      spec: {
        ...p.spec,
        ...spec,
        id: spec.id || rec.id,
        inputs: Array.isArray(spec.inputs) ? spec.inputs : p.spec?.inputs || [],
        outputs: Array.isArray(spec.outputs) ? spec.outputs : p.spec?.outputs || [],
        form: spec.form || p.spec?.form,
        init: spec.init ?? clone(p.spec?.init) ?? {},
      },
      metadata: { ...p.metadata, ...meta, name: meta.name || p.metadata?.name },
    },
  };
}
