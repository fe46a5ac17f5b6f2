import { memo } from 'react';

// Plugin icons are names (Tracardi's vocabulary: "start", "plus", "json", …).
// They are drawn as a glyph on a tinted tile; unknown names fall back to the
// plugin's initials, so no icon font or image is needed.
const GLYPHS = {
  start: '▶', event: '▶', flow: '▶', play: '▶', end: '■',
  plus: '+', increment: '+', add: '+', minus: '−', decrement: '−',
  if: '?', condition: '?', question: '?', split: '⇅', fork: '⇅', join: '⋈', merge: '⋈',
  json: '{}', copy: '⇉', append: '⊕', remove: '⊖', property: '✂', store: '⛁', stop: '■', plugin: '⚑', reshape: '⇄', map: '⇄', transform: '⇄', template: '✎', text: '✎', edit: '✎',
  error: '!', throw: '!', warning: '!', log: '≡', console: '≡', debug: '⚙', settings: '⚙', inject: '↓',
  profile: '☺', person: '☺', user: '☺', segment: '◔', tag: '#', tags: '#', time: '◷', clock: '◷', sleep: '◷', pause: '◷',
  response: '↩', return: '↩', reply: '↩', mail: '✉', email: '✉', message: '✉', web: '⌁', http: '⌁', api: '⌁', cloud: '☁',
  database: '⛁', storage: '⛁', save: '⛁', memory: '⛁', exists: '∃', check: '✓', ok: '✓', random: '⚄', counter: '#', math: '∑', calc: '∑',
};

function hue(s) {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) % 360;
  return h;
}

function PluginIconBase({ icon, name = '', group = '', size = 28 }) {
  const key = String(icon || '').toLowerCase();
  const glyph = GLYPHS[key] || GLYPHS[key.split(/[-_ ]/)[0]] ||
    name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]).join('').toUpperCase() || '•';
  const h = hue(group || name);
  return (
    <span className="plugin-icon" aria-hidden="true"
      style={{ width: size, height: size, fontSize: glyph.length > 1 ? size * 0.4 : size * 0.55, background: `hsl(${h} 70% 94%)`, color: `hsl(${h} 55% 35%)` }}>
      {glyph}
    </span>
  );
}

export default memo(PluginIconBase);
