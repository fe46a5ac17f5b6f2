import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  connectionProblem, wouldCycle, pluginToNode, serializeFlow, deserializeFlow,
  copySelection, pasteClipboard, debugPaint, debugNodesInOrder, makeEdge, readFlowFile,
} from '../src/editor/graph.js';
import { autoLayout } from '../src/editor/layout.js';
import { History } from '../src/editor/history.js';

const plugin = (name, inputs, outputs, extra = {}) => ({
  id: name.toLowerCase(),
  plugin: { start: inputs.length === 0, debug: false, spec: { module: `m.${name}`, inputs, outputs, init: { a: 1 } }, metadata: { name, type: 'flowNode' }, ...extra },
});

function graph() {
  const start = { ...pluginToNode(plugin('Start', [], ['payload']), { x: 0, y: 0 }), id: 's' };
  const inc = { ...pluginToNode(plugin('Increment', ['payload'], ['payload']), { x: 0, y: 100 }), id: 'i' };
  const resp = { ...pluginToNode(plugin('Response', ['payload'], ['payload', 'error']), { x: 0, y: 200 }), id: 'r' };
  const edges = [
    { id: 'e1', source: 's', sourceHandle: 'payload', target: 'i', targetHandle: 'payload' },
    { id: 'e2', source: 'i', sourceHandle: 'payload', target: 'r', targetHandle: 'payload' },
  ];
  return { nodes: [start, inc, resp], edges };
}

test('pluginToNode copies the plugin record and its default config', () => {
  const rec = plugin('Increment', ['payload'], ['payload']);
  const n = pluginToNode(rec, { x: 10.4, y: 20.6 });
  assert.deepEqual(n.position, { x: 10, y: 21 });
  assert.equal(n.type, 'flowNode');
  assert.deepEqual(n.data.spec.init, { a: 1 });
  n.data.spec.init.a = 2;
  assert.equal(rec.plugin.spec.init.a, 1, 'the palette record is not shared');
  assert.equal(n.data.spec.id, 'increment');
  assert.notEqual(pluginToNode(rec, { x: 0, y: 0 }).id, n.id);
});

test('connections: output to input only, no self loops, duplicates or cycles', () => {
  const { nodes, edges } = graph();
  const ok = { source: 's', sourceHandle: 'payload', target: 'r', targetHandle: 'payload' };
  assert.equal(connectionProblem(ok, nodes, edges), null);
  assert.match(connectionProblem({ source: 'r', sourceHandle: 'payload', target: 's', targetHandle: 'payload' }, nodes, edges), /not an input port/);
  assert.match(connectionProblem({ source: 'i', sourceHandle: 'payload', target: 'i', targetHandle: 'payload' }, nodes, edges), /itself/);
  assert.match(connectionProblem({ source: 's', sourceHandle: 'payload', target: 'i', targetHandle: 'payload' }, nodes, edges), /already/);
  assert.match(connectionProblem({ source: 'r', sourceHandle: 'error', target: 'i', targetHandle: 'payload' }, nodes, edges), /cycle/);
  assert.match(connectionProblem({ source: 'r', sourceHandle: 'nope', target: 'i', targetHandle: 'payload' }, nodes, edges), /not an output/);
  assert.match(connectionProblem({ source: 'x', sourceHandle: 'payload', target: 'i', targetHandle: 'payload' }, nodes, edges), /exist/);
});

test('wouldCycle follows long paths', () => {
  const edges = [];
  for (let i = 0; i < 200; i++) edges.push({ source: `n${i}`, target: `n${i + 1}` });
  assert.equal(wouldCycle(edges, 'n200', 'n0'), true);
  assert.equal(wouldCycle(edges, 'n0', 'n200'), false);
});

test('serialize and deserialize keep Tracardi format and drop editor state', () => {
  const { nodes, edges } = graph();
  nodes[0].selected = true;
  nodes[0].className = 'dbg-ran';
  const flow = serializeFlow({ id: 'f1', name: 'F', tags: ['a'] }, nodes, [...edges, makeEdge({ source: 's', sourceHandle: 'payload', target: 'r', targetHandle: 'payload' })]);
  assert.equal(flow.flowGraph.nodes.length, 3);
  assert.deepEqual(Object.keys(flow.flowGraph.nodes[0]).sort(), ['data', 'id', 'position', 'type']);
  assert.equal(flow.flowGraph.edges[2].data.name, '');
  const back = deserializeFlow(JSON.parse(JSON.stringify(flow)));
  assert.equal(back.nodes.length, 3);
  assert.equal(back.edges.length, 3);
  assert.deepEqual(back.nodes[1].data.spec.init, { a: 1 });
});

test('deserialize drops edges to missing nodes and fills defaults', () => {
  const back = deserializeFlow({ flowGraph: { nodes: [{ id: 1, data: { spec: {} } }], edges: [{ id: 'e', source: 1, target: 2 }] } });
  assert.equal(back.nodes[0].id, '1');
  assert.deepEqual(back.nodes[0].data.spec.init, {});
  assert.equal(back.edges.length, 0);
  assert.deepEqual(deserializeFlow({}), { nodes: [], edges: [] });
});

test('copy and paste selected nodes with the edges between them', () => {
  const { nodes, edges } = graph();
  nodes[0].selected = true;
  nodes[1].selected = true;
  const clip = copySelection(nodes, edges);
  assert.equal(clip.nodes.length, 2);
  assert.equal(clip.edges.length, 1);
  const p = pasteClipboard(JSON.parse(JSON.stringify(clip)));
  assert.equal(p.nodes.length, 2);
  assert.notEqual(p.nodes[0].id, 's');
  assert.equal(p.edges[0].source, p.nodes[0].id);
  assert.equal(p.edges[0].target, p.nodes[1].id);
  assert.equal(p.nodes[0].position.x, 40);
  assert.deepEqual(pasteClipboard({ kind: 'other' }), { nodes: [], edges: [] });
});

test('debug paint: fired, void, dead edges and failed nodes', () => {
  const res = {
    debugInfo: {
      nodes: {
        s: { id: 's', sequenceNumber: 0, calls: [{ error: null }] },
        i: { id: 'i', sequenceNumber: 1, calls: [{ error: 'boom' }] },
      },
      edges: { e1: { active: [true] }, e2: { active: [false, false] }, e3: { active: [false, true] } },
    },
    errors: [{ nodeId: 'r', message: 'x' }],
  };
  const { nodeState, edgeState } = debugPaint(res);
  assert.deepEqual(nodeState, { s: 'ran', i: 'error', r: 'error' });
  assert.deepEqual(edgeState, { e1: 'fired', e2: 'void', e3: 'fired' });
  assert.deepEqual(debugNodesInOrder(res).map((n) => n.id), ['s', 'i']);
  assert.deepEqual(debugPaint(null), { nodeState: {}, edgeState: {} });
});

test('auto-layout puts a chain top to bottom', () => {
  const { nodes, edges } = graph();
  const pos = autoLayout(nodes, edges);
  assert.ok(pos.s.y < pos.i.y && pos.i.y < pos.r.y);
});

test('history undoes and redoes', () => {
  const h = new History(2);
  h.push(1); h.push(2); h.push(3);
  assert.equal(h.undo(4), 3);
  assert.equal(h.undo(3), 2);
  assert.equal(h.undo(2), null, 'bounded');
  assert.equal(h.redo(2), 3);
  h.push(9);
  assert.equal(h.canRedo, false);
});

test('readFlowFile accepts exported flows and explains what is wrong otherwise', () => {
  const [f, err] = readFlowFile(JSON.stringify({ name: 'F', flowGraph: { nodes: [], edges: [] } }));
  assert.equal(err, null);
  assert.equal(f.name, 'F');
  assert.match(readFlowFile('{nope')[1], /not JSON/);
  assert.match(readFlowFile('[]')[1], /JSON object/);
  assert.match(readFlowFile('{"name": "x"}')[1], /No flow graph/);
});

import { hydrateNode, pluginLookup } from '../src/editor/graph.js';

test('hydrateNode fills an imported node from its installed plugin, by alias too', () => {
  const grouped = { Flow: [{ id: 'tracflow.flow.start', plugin: { start: true, spec: { module: 'tracflow.flow.start', aliases: ['tracardi.start'], inputs: [], outputs: ['payload'], init: { a: 1 }, form: { groups: [] } }, metadata: { name: 'Start', icon: 'event' } } }] };
  const lookup = pluginLookup(grouped);
  const n = { id: 's', data: { spec: { module: 'tracardi.start', init: { a: 2 } }, metadata: { name: 'My start' } } };
  const h = hydrateNode(n, lookup);
  assert.deepEqual(h.data.spec.outputs, ['payload']);
  assert.deepEqual(h.data.spec.init, { a: 2 }, 'the node keeps its config');
  assert.equal(h.data.metadata.name, 'My start');
  assert.equal(h.data.metadata.icon, 'event');
  assert.equal(h.data.spec.id, 'tracflow.flow.start');
  assert.equal(h.data.start, true);
  assert.equal(hydrateNode(h, lookup), h, 'a complete node is returned as is');
  const unknown = { id: 'u', data: { spec: { module: 'nope' } } };
  assert.equal(hydrateNode(unknown, lookup), unknown);
});
