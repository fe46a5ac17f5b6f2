import { parseMarkdown } from '../lib/markdown.js';

function Inline({ nodes }) {
  return nodes.map((n, i) => {
    switch (n.type) {
      case 'code': return <code key={i}>{n.text}</code>;
      case 'strong': return <strong key={i}><Inline nodes={n.children} /></strong>;
      case 'em': return <em key={i}><Inline nodes={n.children} /></em>;
      case 'link': {
        const external = /^https?:/i.test(n.href);
        return <a key={i} href={n.href} {...(external ? { target: '_blank', rel: 'noopener noreferrer' } : {})}><Inline nodes={n.children} /></a>;
      }
      default: return <span key={i}>{n.text}</span>;
    }
  });
}

/**
 * Renders plugin documentation written in a small Markdown subset (see
 * lib/markdown.js) as React elements: nothing is inserted as HTML.
 */
export default function Markdown({ text, className = 'markdown' }) {
  if (!text) return null;
  const blocks = parseMarkdown(text);
  return (
    <div className={className}>
      {blocks.map((b, i) => {
        switch (b.type) {
          case 'code': return <pre key={i} className="code-block"><code>{b.text}</code></pre>;
          case 'ul': return <ul key={i}>{b.items.map((it, j) => <li key={j}><Inline nodes={it} /></li>)}</ul>;
          case 'ol': return <ol key={i}>{b.items.map((it, j) => <li key={j}><Inline nodes={it} /></li>)}</ol>;
          case 'h': return <h5 key={i}><Inline nodes={b.inline} /></h5>;
          default: return <p key={i}><Inline nodes={b.inline} /></p>;
        }
      })}
    </div>
  );
}
