import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copySelection, pasteClipboard } from '../src/editor/graph.js';
import { readClipboard, writeClipboard } from '../src/editor/clipboard.js';

test('the clipboard keeps the last copy in the module, for any editor of the tab', () => {
  assert.equal(readClipboard(), null, 'empty at first (and without sessionStorage)');
  const nodes = [
    { id: 'a', type: 'flowNode', position: { x: 0, y: 0 }, selected: true, data: { spec: { inputs: [], outputs: ['payload'] } } },
    { id: 'b', type: 'flowNode', position: { x: 0, y: 100 }, selected: true, data: { spec: { inputs: ['payload'], outputs: [] } } },
  ];
  const edges = [{ id: 'e', source: 'a', sourceHandle: 'payload', target: 'b', targetHandle: 'payload' }];
  const clip = copySelection(nodes, edges);
  writeClipboard(clip);
  assert.equal(readClipboard(), clip);
  assert.equal(globalThis.__tracflowClip, undefined, 'nothing on the global object');
  const pasted = pasteClipboard(readClipboard(), { x: 40, y: 40 });
  assert.equal(pasted.nodes.length, 2);
  assert.equal(pasted.edges.length, 1);
  assert.notEqual(pasted.nodes[0].id, 'a', 'pasted nodes get new ids');
});
