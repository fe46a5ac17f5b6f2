// The tracking snippet a site pastes into its pages: it queues events until
// Tracflow's tracker (/tracker/tracflow.js) has loaded, then the tracker
// sends them to /track. It has the shape of Tracardi's snippet (options with
// tracker.url.script, tracker.url.api and source.id; window.tracker.track;
// window.onTracardiReady.bind), so pages written for Tracardi keep working.

/** A string as a JavaScript literal that is safe inside an HTML <script>. */
const lit = (s) => JSON.stringify(String(s)).replace(/</g, '\\u003c');

/**
 * The snippet for an event source. server is the Tracflow server's origin
 * as sites reach it, e.g. https://cdp.example.com.
 */
export function trackerSnippet(sourceId, server) {
  const base = String(server).replace(/\/+$/, '');
  return `<script>
  window.options = {
    tracker: { url: { script: ${lit(base + '/tracker/tracflow.js')}, api: ${lit(base)} } },
    source: { id: ${lit(sourceId)} }
  };
  (function (w, d) {
    var q = [], l = [];
    w.tracker = w.tracker || { q: q, track: function () { q.push([].slice.call(arguments)); return w.tracker; } };
    w.onTracardiReady = w.onTracardiReady || { bind: function (f) { l.push(f); }, call: function (p) { l.forEach(function (f) { f(p); }); } };
    var s = d.createElement('script');
    s.async = true;
    s.src = w.options.tracker.url.script;
    d.head.appendChild(s);
  })(window, document);
  window.tracker.track('page-view', {});
</script>`;
}
