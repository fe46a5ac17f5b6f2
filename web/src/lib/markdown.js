/**
 * A small, safe Markdown reader for plugin documentation. It turns text into
 * a tree of plain objects that a component renders as React elements (so
 * nothing is ever inserted as HTML: a "<script>" in the text stays text).
 *
 * Blocks: paragraphs, fenced code blocks (```), bullet (- or *) and
 * numbered (1.) lists, headings (#..######). Inline: `code`, **bold**,
 * *emphasis* or _emphasis_, and [links](url). A link whose address is not
 * http(s), mailto, a relative path or an #anchor is kept as its text.
 */

const FENCE = /^\s*```\s*([\w+-]*)\s*$/;
const BULLET = /^\s*[-*]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;

/** Parses text into blocks: [{type: 'p'|'code'|'ul'|'ol'|'h', ...}]. */
export function parseMarkdown(text) {
  const lines = String(text ?? '').replace(/\r\n?/g, '\n').split('\n');
  const blocks = [];
  let para = [];
  let list = null;
  const flushPara = () => {
    if (para.length) blocks.push({ type: 'p', inline: parseInline(para.join(' ')) });
    para = [];
  };
  const flushList = () => {
    if (list) blocks.push(list);
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = line.match(FENCE);
    if (fence) {
      flushPara();
      flushList();
      const body = [];
      i++;
      while (i < lines.length && !FENCE.test(lines[i])) body.push(lines[i++]);
      blocks.push({ type: 'code', lang: fence[1] || '', text: body.join('\n') });
      continue;
    }
    if (!line.trim()) {
      flushPara();
      flushList();
      continue;
    }
    const h = line.match(HEADING);
    if (h) {
      flushPara();
      flushList();
      blocks.push({ type: 'h', level: h[1].length, inline: parseInline(h[2]) });
      continue;
    }
    const b = line.match(BULLET);
    const n = b ? null : line.match(NUMBERED);
    if (b || n) {
      flushPara();
      const type = b ? 'ul' : 'ol';
      if (!list || list.type !== type) {
        flushList();
        list = { type, items: [] };
      }
      list.items.push((b || n)[1]);
      continue;
    }
    if (list && /^\s+\S/.test(line)) {
      // A continuation line of the last list item.
      list.items[list.items.length - 1] += ` ${line.trim()}`;
      continue;
    }
    flushList();
    para.push(line.trim());
  }
  flushPara();
  flushList();
  return blocks.map((bl) => (bl.type === 'ul' || bl.type === 'ol' ? { ...bl, items: bl.items.map(parseInline) } : bl));
}

/** Is href safe to follow: http(s), mailto, a relative path or an anchor. */
export function safeHref(href) {
  const h = String(href || '').trim();
  if (!h) return false;
  if (/^(https?:|mailto:)/i.test(h)) return true;
  // No scheme at all (javascript:, data:, vbscript: ... are refused).
  return !/^[a-z][a-z0-9+.-]*:/i.test(h) && !h.startsWith('//');
}

/** Parses inline text into [{type: 'text'|'code'|'strong'|'em'|'link', ...}]. */
export function parseInline(text) {
  const out = [];
  const s = String(text ?? '');
  let buf = '';
  const pushText = () => {
    if (buf) out.push({ type: 'text', text: buf });
    buf = '';
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length && '\\`*_[]()#'.includes(s[i + 1])) {
      buf += s[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const end = s.indexOf('`', i + 1);
      if (end > i) {
        pushText();
        out.push({ type: 'code', text: s.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (s.startsWith('**', i)) {
      const end = s.indexOf('**', i + 2);
      if (end > i + 2) {
        pushText();
        out.push({ type: 'strong', children: parseInline(s.slice(i + 2, end)) });
        i = end + 2;
        continue;
      }
    }
    if ((c === '*' || c === '_') && i + 1 < s.length && s[i + 1] !== ' ' && (i === 0 || !/\w/.test(s[i - 1]))) {
      const end = s.indexOf(c, i + 1);
      if (end > i + 1 && s[end - 1] !== ' ' && (end + 1 >= s.length || !/\w/.test(s[end + 1]))) {
        pushText();
        out.push({ type: 'em', children: parseInline(s.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    if (c === '[') {
      const close = s.indexOf('](', i + 1);
      const end = close > i ? closingParen(s, close + 2) : -1;
      if (close > i && end > close) {
        const label = s.slice(i + 1, close);
        const href = s.slice(close + 2, end).trim();
        pushText();
        if (safeHref(href)) out.push({ type: 'link', href, children: parseInline(label) });
        else out.push(...parseInline(label));
        i = end + 1;
        continue;
      }
    }
    buf += c;
    i++;
  }
  pushText();
  return out;
}

/** The index of the ")" that closes a "(" just before from; -1 when none. */
function closingParen(s, from) {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}
