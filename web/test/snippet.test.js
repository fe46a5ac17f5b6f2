import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { trackerSnippet } from '../src/lib/snippet.js';

/** Runs the snippet's script in a bare window and returns what it did. */
function run(snippet) {
  const code = /^<script>([\s\S]*)<\/script>$/.exec(snippet);
  assert.ok(code, 'the snippet is one <script> element');
  const appended = [];
  const window = {
    document: {
      createElement: (tag) => ({ tag }),
      head: { appendChild: (el) => appended.push(el) },
    },
  };
  window.window = window;
  vm.runInNewContext(code[1], window);
  return { window, appended };
}

test('the snippet loads the tracker from the server and queues a page view', () => {
  const { window, appended } = run(trackerSnippet('web-shop', 'https://cdp.example.com/'));
  assert.equal(appended.length, 1);
  assert.equal(appended[0].tag, 'script');
  assert.equal(appended[0].src, 'https://cdp.example.com/tracker/tracflow.js');
  assert.equal(appended[0].async, true);
  assert.equal(window.options.source.id, 'web-shop');
  assert.equal(window.options.tracker.url.api, 'https://cdp.example.com');
  assert.deepEqual(JSON.parse(JSON.stringify(window.tracker.q)), [['page-view', {}]]);
  // Calls before the tracker loads are queued too, and ready listeners kept.
  window.tracker.track('purchase', { total: 3 });
  assert.equal(window.tracker.q.length, 2);
  let got = null;
  window.onTracardiReady.bind((p) => { got = p; });
  window.onTracardiReady.call({ context: 1 });
  assert.deepEqual(got, { context: 1 });
});

test('a source id cannot break out of the script element', () => {
  const snippet = trackerSnippet('a</script><b>"x', 'https://cdp.example.com');
  assert.equal(snippet.indexOf('</script>'), snippet.length - '</script>'.length);
  const { window } = run(snippet);
  assert.equal(window.options.source.id, 'a</script><b>"x');
});
