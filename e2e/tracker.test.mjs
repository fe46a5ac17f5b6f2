// The browser tracker in a real browser: two pages of a "site" on another
// origin (a small static server) load /tracker/tracflow.js from a running
// tracflow serve, one with the snippet the GUI shows, one with a loader
// shaped like Tracardi's snippet. The profile id is kept across the pages,
// onTracardiReady fires with the server's answer, events queued before the
// script loaded go out in one request, an event tracked as the page goes
// away still arrives, and the server stores every event for that profile.
// A third page loads the script with a bare tag and data-source.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { api, apiToken, launchBrowser, startServer } from './harness.mjs';
import { trackerSnippet } from '../web/src/lib/snippet.js';

let server;
let site;
let siteURL;
let browser;
let page;
let token;
const RUN = Date.now().toString(36).slice(-5);
const SOURCE = `site-${RUN}`;
const problems = [];
const tracks = []; // the bodies of the POST /track requests the pages sent

// Page two's loader behaves as Tracardi's snippet does: a global `const
// options`, a queue in window.tracker, onTracardiReady = {bind, call}; it
// loads options.tracker.url.script + '/liliput.min.js' and, once loaded,
// hands its queue to window.tracardi.default when that reports itself
// initialized.
const tracardiStyleLoader = (base) => `<script>
  const options = { tracker: { url: { script: ${JSON.stringify(base + '/tracker')}, api: ${JSON.stringify(base)} } }, source: { id: ${JSON.stringify(SOURCE)} } };
  (function () {
    const queue = [], listeners = [];
    window.tracker = { track: (...args) => { queue.push(['track', ...args]); return window.tracker; } };
    window.onTracardiReady = { bind: (f) => listeners.push(f), call: (p) => listeners.forEach((f) => f(p)) };
    const s = document.createElement('script');
    s.async = true;
    s.src = options.tracker.url.script + '/liliput.min.js';
    s.addEventListener('load', () => {
      const t = window.tracardi && window.tracardi.default;
      if (!t || !t.getState().plugins.tracardi.initialized) { console.error('tracker not initialized'); return; }
      window.tracker = t;
      while (queue.length) { const [m, ...args] = queue.shift(); t[m](...args); }
    });
    document.head.appendChild(s);
  })();
</script>`;

const onReady = `<script>
  window.onTracardiReady.bind(({ context, helpers }) => {
    window.__ready = context;
    document.body.setAttribute('data-profile', context.profile.id);
    window.__helpers = typeof helpers.track;
  });
</script>`;

function pages(base) {
  return {
    '/one.html': `<!doctype html><html><head><title>Page one</title>
${trackerSnippet(SOURCE, base)}
<script>window.tracker.track('product-view', { sku: 'A-1' });</script>
${onReady}
</head><body><a href="/two.html">two</a></body></html>`,
    '/two.html': `<!doctype html><html><head><title>Page two</title>
${tracardiStyleLoader(base)}
<script>window.tracker.track('page-view', { page: 2 });</script>
${onReady}
</head><body>two</body></html>`,
    // No snippet: the script tag alone, its source in data-source.
    '/three.html': `<!doctype html><html><head><title>Page three</title>
<script async src="${base}/tracker/tracflow.js" data-source="${SOURCE}" onload="window.onTracardiReady.bind(function (p) { window.__ready = p.context; }); window.tracker.track('page-view', { page: 3 })"></script>
</head><body>three</body></html>`,
    // A source the server does not know.
    '/four.html': `<!doctype html><html><head><title>Page four</title>
<script async src="${base}/tracker/tracflow.js" data-source="no-such-source" onload="window.onTracardiReady.bind(function (p) { window.__ready = { context: p.context }; }); window.tracker.track('page-view', {}).then(function (r) { window.__answer = r; })"></script>
</head><body>four</body></html>`,
  };
}

describe('the browser tracker on a site of another origin', () => {
  before(async () => {
    server = await startServer();
    token = await apiToken(server.url);
    await api(server.url, 'POST', '/event-source', { token, body: { id: SOURCE, name: `Site ${RUN}`, type: ['rest'], enabled: true } });
    const files = pages(server.url);
    site = http.createServer((req, res) => {
      if (req.url === '/favicon.ico') { res.writeHead(204); res.end(); return; }
      const body = files[req.url.split('?')[0]];
      res.writeHead(body ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(body || 'not found');
    });
    await new Promise((r) => site.listen(0, '127.0.0.1', r));
    siteURL = `http://127.0.0.1:${site.address().port}`;
    assert.notEqual(new URL(siteURL).origin, new URL(server.url).origin, 'the site is cross-origin');
    browser = await launchBrowser();
    page = await browser.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url() === `${server.url}/track`) tracks.push(JSON.parse(r.postData()));
    });
  });

  after(async () => {
    await browser?.close();
    await new Promise((r) => (site ? site.close(r) : r()));
    await server?.stop();
  });

  it('sends the queued events in one request and fires onTracardiReady with the answer', async () => {
    await page.goto(`${siteURL}/one.html`);
    await page.waitForFunction(() => window.__ready, null, { timeout: 15000 });
    const ready = await page.evaluate(() => window.__ready);
    const stored = await page.evaluate(() => localStorage.getItem('tracardi-profile-id'));
    assert.ok(ready.profile.id, 'the answer has a profile id');
    assert.equal(stored, ready.profile.id, 'the profile id is kept in localStorage under tracardi-profile-id');
    assert.equal(await page.evaluate(() => window.__helpers), 'function', 'listeners get helpers.track');
    assert.equal(tracks.length, 1, 'one request for the queued events');
    const [first] = tracks;
    assert.deepEqual(first.events.map((e) => e.type), ['page-view', 'product-view']);
    assert.equal(first.source.id, SOURCE);
    assert.equal(first.profile, null, 'a first visit sends no profile');
    assert.ok(first.session.id, 'the browser makes the session id');
    const pg = first.events[0].context.page;
    assert.equal(pg.url, `${siteURL}/one.html`);
    assert.equal(pg.title, 'Page one');
    assert.ok(first.context.time.tz && first.context.screen.local.width > 0 && first.context.browser.local.browser.language, 'time zone, screen and language are sent');
  });

  it('keeps the profile on the next page, loaded as Tracardi\'s snippet loads it', async () => {
    const profile = await page.evaluate(() => localStorage.getItem('tracardi-profile-id'));
    const session = tracks[0].session.id;
    // An event tracked as the page goes away is sent on page hide.
    await page.evaluate(() => { window.tracker.track('leave', { from: 'one' }); window.location.href = '/two.html'; });
    await page.waitForURL(`${siteURL}/two.html`);
    await page.waitForFunction(() => window.__ready, null, { timeout: 15000 });
    const ready = await page.evaluate(() => window.__ready);
    assert.equal(ready.profile.id, profile, 'the server answers the same profile');
    assert.equal(await page.evaluate(() => localStorage.getItem('tracardi-profile-id')), profile);
    const last = tracks[tracks.length - 1];
    assert.deepEqual(last.events.map((e) => e.type), ['page-view']);
    assert.equal(last.profile.id, profile, 'page two sends the kept profile id');
    assert.equal(last.session.id, session, 'the session goes on across pages');
  });

  it('works from a bare script tag with data-source', async () => {
    const profile = await page.evaluate(() => localStorage.getItem('tracardi-profile-id'));
    await page.goto(`${siteURL}/three.html`);
    await page.waitForFunction(() => window.__ready, null, { timeout: 15000 });
    assert.equal((await page.evaluate(() => window.__ready)).profile.id, profile);
    const last = tracks[tracks.length - 1];
    assert.equal(last.source.id, SOURCE);
    assert.equal(last.profile.id, profile);
  });

  it('stores every event for that profile', async () => {
    const profile = await page.evaluate(() => localStorage.getItem('tracardi-profile-id'));
    let events = [];
    for (let i = 0; i < 50; i++) {
      events = (await api(server.url, 'GET', `/profile/${encodeURIComponent(profile)}/events?limit=50`, { token })).result;
      if (events.filter((e) => !e.metadata?.system).length >= 5) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The visit's system events are stored beside the tracker's.
    const system = events.filter((e) => e.metadata?.system).map((e) => e.type);
    assert.equal(system.filter((t) => t === 'profile-created').length, 1, `system events ${system}`);
    assert.ok(system.includes('visit-started'), `system events ${system}`);
    events = events.filter((e) => !e.metadata?.system);
    const types = events.map((e) => e.type).sort();
    assert.deepEqual(types, ['leave', 'page-view', 'page-view', 'page-view', 'product-view']);
    for (const e of events) {
      assert.equal(e.profile.id, profile);
      assert.equal(e.source.id, SOURCE);
    }
    const urls = events.filter((e) => e.type === 'page-view').map((e) => e.context.page.url).sort();
    assert.deepEqual(urls, [`${siteURL}/one.html`, `${siteURL}/three.html`, `${siteURL}/two.html`]);
    assert.deepEqual(problems, [], 'no errors in the pages');
  });

  it('reports a refused request: the promise gives the status, listeners get no context', async () => {
    const before = problems.length;
    await page.goto(`${siteURL}/four.html`);
    await page.waitForFunction(() => window.__answer && window.__ready, null, { timeout: 15000 });
    const answer = await page.evaluate(() => window.__answer);
    assert.equal(answer.status, 401);
    assert.match(answer.data.detail, /no-such-source/);
    assert.equal(await page.evaluate(() => window.__ready.context), null);
    assert.ok(problems.slice(before).some((p) => p.includes('[Tracflow]') && p.includes('no-such-source')), 'the error is logged');
  });
});
