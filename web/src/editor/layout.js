// Auto-layout: places nodes top to bottom with dagre, keeping the order of
// output ports left to right.
import { graphlib, layout } from '@dagrejs/dagre';
import { nodeOutputs } from './graph.js';

export const NODE_HEIGHT = 64;
export function nodeWidth(node) {
  return Math.max(180, nodeOutputs(node).length * 90);
}

/** New positions {id: {x, y}} for nodes (top-left corners). */
export function autoLayout(nodes, edges) {
  const g = new graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 70, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) {
    const w = n.measured?.width || nodeWidth(n);
    const h = n.measured?.height || NODE_HEIGHT;
    g.setNode(n.id, { width: w, height: h });
  }
  for (const e of edges) {
    if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  }
  layout(g);
  const out = {};
  for (const n of nodes) {
    const p = g.node(n.id);
    out[n.id] = { x: Math.round(p.x - p.width / 2), y: Math.round(p.y - p.height / 2) };
  }
  return out;
}
