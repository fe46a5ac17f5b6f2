import assert from 'node:assert/strict';
import test from 'node:test';
import { parseInline, parseMarkdown, safeHref } from '../src/lib/markdown.js';

test('inline code, bold, emphasis and links', () => {
  assert.deepEqual(parseInline('With `trigger_once`, a **port** fires *once*; see [docs](https://x.org/a).'), [
    { type: 'text', text: 'With ' },
    { type: 'code', text: 'trigger_once' },
    { type: 'text', text: ', a ' },
    { type: 'strong', children: [{ type: 'text', text: 'port' }] },
    { type: 'text', text: ' fires ' },
    { type: 'em', children: [{ type: 'text', text: 'once' }] },
    { type: 'text', text: '; see ' },
    { type: 'link', href: 'https://x.org/a', children: [{ type: 'text', text: 'docs' }] },
    { type: 'text', text: '.' },
  ]);
});

test('code spans keep their text as it is, markup inside them is not read', () => {
  assert.deepEqual(parseInline('`**not bold** <b>`'), [{ type: 'code', text: '**not bold** <b>' }]);
});

test('HTML stays text: nothing in the tree is markup', () => {
  const blocks = parseMarkdown('<script>alert(1)</script> and <img src=x onerror=alert(1)>');
  assert.deepEqual(blocks, [{ type: 'p', inline: [{ type: 'text', text: '<script>alert(1)</script> and <img src=x onerror=alert(1)>' }] }]);
});

test('unsafe link addresses are dropped, their label kept', () => {
  assert.deepEqual(parseInline('[click](javascript:alert(1))'), [{ type: 'text', text: 'click' }]);
  assert.equal(safeHref('JavaScript:alert(1)'), false);
  assert.equal(safeHref('data:text/html,x'), false);
  assert.equal(safeHref('//evil.example'), false);
  assert.equal(safeHref('stats.md#increment-counter'), true);
  assert.equal(safeHref('#ports'), true);
  assert.equal(safeHref('mailto:a@b.c'), true);
});

test('snake_case words and lone stars are not emphasis', () => {
  assert.deepEqual(parseInline('trigger_once and event_types, 2 * 3 * 4'), [{ type: 'text', text: 'trigger_once and event_types, 2 * 3 * 4' }]);
});

test('paragraphs, lists, fenced code and headings', () => {
  const md = 'First line\nsame paragraph.\n\n- one `a`\n- two\n  continued\n\n1. first\n2. second\n\n```json\n{"a": 1}\n  <b>\n```\n## Title';
  assert.deepEqual(parseMarkdown(md), [
    { type: 'p', inline: [{ type: 'text', text: 'First line same paragraph.' }] },
    { type: 'ul', items: [[{ type: 'text', text: 'one ' }, { type: 'code', text: 'a' }], [{ type: 'text', text: 'two continued' }]] },
    { type: 'ol', items: [[{ type: 'text', text: 'first' }], [{ type: 'text', text: 'second' }]] },
    { type: 'code', lang: 'json', text: '{"a": 1}\n  <b>' },
    { type: 'h', level: 2, inline: [{ type: 'text', text: 'Title' }] },
  ]);
});

test('an unclosed marker is text', () => {
  assert.deepEqual(parseInline('a `b and **c'), [{ type: 'text', text: 'a `b and **c' }]);
  assert.deepEqual(parseMarkdown(''), []);
  assert.deepEqual(parseMarkdown(null), []);
});

test('escapes', () => {
  assert.deepEqual(parseInline('\\*not em\\*'), [{ type: 'text', text: '*not em*' }]);
});
