/*! Tracflow browser tracker. Speaks Tracardi's /track protocol and works
 * with Tracardi's snippet. Plain JavaScript, no build step. MIT licence. */
(function (w, d) {
  'use strict';
  if (w.tracflow && w.tracflow.version) return; // loaded twice

  var PROFILE_KEY = 'tracardi-profile-id'; // localStorage, as Tracardi
  var PROFILE_COOKIE = '__tr_pid';
  var SESSION_COOKIE = 'tracardi-session-id'; // a session cookie, as Tracardi
  var LOG = '[Tracflow] ';
  var script = d.currentScript;

  // The snippet's settings: Tracardi's `options` (a global const or
  // window.options), or data-source / data-api on the script tag.
  var opt = {};
  try { opt = (typeof options === 'object' && options) || w.options || {}; } catch (e) { opt = w.options || {}; } // eslint-disable-line no-undef
  var trk = opt.tracker || {};
  var attr = function (n) { return script ? script.getAttribute('data-' + n) : null; };
  var sourceID = (opt.source && opt.source.id) || (trk.source && trk.source.id) || attr('source');
  var api = (trk.url && trk.url.api) || attr('api') || (script && script.src ? new URL(script.src, location.href).origin : '');
  api = String(api || '').replace(/\/+$/, '');
  var ctxOpt = trk.context || {};
  var settings = trk.settings || {};

  function cookie(name, value) {
    if (value === undefined) {
      var m = d.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
      return m ? decodeURIComponent(m[1]) : null;
    }
    d.cookie = name + '=' + encodeURIComponent(value) + '; path=/; SameSite=Lax' + (location.protocol === 'https:' ? '; Secure' : '');
  }
  function stored(area, key, value) {
    try {
      var s = w[area];
      if (value === undefined) return s.getItem(key);
      s.setItem(key, value);
    } catch (e) { /* storage disabled */ }
    return null;
  }
  function uuid() {
    var b = new Uint8Array(16);
    (w.crypto || w.msCrypto).getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  // The session lives as long as the browser session: a cookie without an
  // expiry (sessionStorage when cookies are off).
  var sessionID = cookie(SESSION_COOKIE) || stored('sessionStorage', SESSION_COOKIE);
  if (!sessionID) {
    sessionID = uuid();
    cookie(SESSION_COOKIE, sessionID);
    if (!cookie(SESSION_COOKIE)) stored('sessionStorage', SESSION_COOKIE, sessionID);
  }
  // The profile id is the first one the server answered, kept for good.
  var profileID = (trk.profile && trk.profile.id) || stored('localStorage', PROFILE_KEY) || cookie(PROFILE_COOKIE);

  function referer() {
    var r = d.referrer, host = null, query = null;
    if (r) {
      try {
        var u = new URL(r);
        if (u.host !== location.host) {
          host = u.host;
          query = u.searchParams.get('q') || u.searchParams.get('p');
        }
      } catch (e) { /* not a URL */ }
    }
    return { host: host, query: query };
  }
  function page() {
    return {
      url: location.href, path: location.pathname, hash: location.hash, title: d.title,
      referer: referer(), history: { length: history.length },
    };
  }
  function context() {
    var c = { time: { local: new Date().toLocaleString(), tz: Intl.DateTimeFormat().resolvedOptions().timeZone } };
    var n = w.navigator;
    if (ctxOpt.browser !== false) {
      c.browser = { local: {
        browser: { name: n.appName, engine: n.product, appVersion: n.appVersion, userAgent: n.userAgent,
          language: n.language, languages: n.languages, onLine: n.onLine, cookieEnabled: n.cookieEnabled },
        device: { platform: n.platform },
      } };
    }
    if (ctxOpt.screen !== false) {
      var s = w.screen;
      c.screen = { local: {
        width: s.width, height: s.height, innerWidth: w.innerWidth, innerHeight: w.innerHeight,
        availWidth: s.availWidth, availHeight: s.availHeight, colorDepth: s.colorDepth, pixelDepth: s.pixelDepth,
        orientation: (s.orientation && s.orientation.type) || 'n/a',
      } };
    }
    var q = new URLSearchParams(location.search), utm = {};
    ['source', 'medium', 'campaign', 'term', 'content'].forEach(function (k) {
      if (q.has('utm_' + k)) utm[k] = q.get('utm_' + k);
    });
    if (Object.keys(utm).length) c.utm = utm;
    return c;
  }

  var pending = []; // [{event, resolve}] not sent yet
  var busy = false; // a request is on its way; the next waits for its profile id
  var timer = null;
  var ready = null; // the parameters onTracardiReady listeners got

  function payload(batch) {
    return {
      source: { id: sourceID },
      session: { id: sessionID },
      profile: profileID ? { id: profileID } : null,
      context: context(),
      properties: {},
      options: (w.response && w.response.context) || {},
      events: batch.map(function (p) { return p.event; }),
    };
  }

  function send(batch, onHide) {
    var body = JSON.stringify(payload(batch));
    var url = api + '/track';
    if (onHide) {
      // The page goes away: a keepalive fetch outlives it, and a beacon
      // when the fetch is refused (a keepalive body is limited to 64 KB).
      try {
        fetch(url, { method: 'POST', body: body, keepalive: true, credentials: 'omit', mode: 'cors',
          headers: { 'content-type': 'application/json', 'x-timestamp': String(Date.now()) } });
      } catch (e) {
        if (w.navigator.sendBeacon) w.navigator.sendBeacon(url, new Blob([body], { type: 'text/plain' }));
      }
      batch.forEach(function (p) { p.resolve({ status: 0, data: null }); });
      return Promise.resolve();
    }
    busy = true;
    return fetch(url, {
      method: 'POST', body: body, credentials: 'omit', mode: 'cors', keepalive: body.length < 60000,
      headers: { 'content-type': 'application/json', 'x-timestamp': String(Date.now()) },
    }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (data) {
        if (!r.ok) {
          var err = new Error((data && data.detail) || ('HTTP ' + r.status));
          err.response = { status: r.status, data: data };
          throw err;
        }
        return { status: r.status, data: data };
      });
    }).then(function (res) {
      var data = res.data || {};
      if (!profileID && data.profile && data.profile.id) {
        profileID = data.profile.id;
        stored('localStorage', PROFILE_KEY, profileID);
        cookie(PROFILE_COOKIE, profileID);
      } else if (!profileID && !(data.profile && data.profile.id)) {
        console.error(LOG + '/track answered no profile id');
      }
      batch.forEach(function (p) { p.resolve(res); });
      answered(data);
    }, function (err) {
      console.error(LOG + err.message);
      // The promise still resolves: pages rarely handle a rejection, and
      // the error is logged here.
      var res = err.response || { status: 0, data: null };
      batch.forEach(function (p) { p.resolve(res); });
      answered(null); // as Tracardi's: listeners get context null when the request failed
    }).then(function () {
      busy = false;
      if (pending.length) flush();
    });
  }

  function flush(onHide) {
    clearTimeout(timer);
    timer = null;
    if ((busy && !onHide) || !pending.length) return;
    if (!sourceID) {
      console.error(LOG + 'no event source id: set options.source.id in the snippet, or data-source on the script tag');
      return;
    }
    var batch = pending;
    pending = [];
    send(batch, onHide);
  }

  function track(type, properties, options) {
    var o = options || {};
    var ctx = {};
    if (ctxOpt.page !== false) ctx.page = page();
    if (o.context && typeof o.context === 'object') {
      for (var k in o.context) ctx[k] = o.context[k];
    }
    var event = { type: String(type), time: { create: new Date().toISOString() }, properties: properties || {}, options: o, context: ctx };
    return new Promise(function (resolve) {
      pending.push({ event: event, resolve: resolve });
      // Calls in one turn of the event loop (such as the events queued
      // before this script loaded) go out together in one request.
      if (!timer) timer = setTimeout(flush, 0);
    });
  }

  // After the first answer of this page: onTracardiReady listeners get
  // {tracker, helpers, context: the answer, config}; every answer's ux
  // elements are added to the page.
  function answered(data) {
    if (!ready) {
      ready = { tracker: tracker, helpers: helpers, context: data, config: opt };
      var r = w.onTracardiReady;
      if (r && typeof r.call === 'function') {
        try { r.call(ready); } catch (e) { console.error(LOG + 'an onTracardiReady listener failed: ' + e.message); }
      }
      // Listeners bound from now on run at once.
      w.onTracardiReady = { bind: function (f) { if (typeof f === 'function') f(ready); }, call: function () {} };
    }
    if (data && Array.isArray(data.ux)) {
      data.ux.forEach(function (u) {
        if (!u || !u.tag) return;
        var el = d.createElement(u.tag);
        for (var k in u.props || {}) el.setAttribute(k, u.props[k]);
        if (u.content) el.textContent = u.content;
        d.body.appendChild(el);
      });
    }
  }

  var helpers = {
    track: track,
    addListener: function (el, name, f) { el.addEventListener(name, f); return function () { el.removeEventListener(name, f); }; },
    onClick: function (el, f) { return helpers.addListener(el, 'click', f); },
  };
  var tracker = {
    version: '1',
    track: track,
    flush: function () { flush(); },
    profileId: function () { return profileID; },
    sessionId: function () { return sessionID; },
    plugins: { tracardi: helpers },
    // Tracardi's snippet checks this before it hands over its queue.
    getState: function () { return { plugins: { tracardi: { initialized: true, enabled: true } } }; },
  };

  // Listeners bound before the script loaded: the snippet made
  // window.onTracardiReady = {bind, call}; make one when it did not.
  if (!w.onTracardiReady || typeof w.onTracardiReady.bind !== 'function') {
    var listeners = [];
    w.onTracardiReady = {
      bind: function (f) { if (typeof f === 'function') listeners.push(f); },
      call: function (p) { listeners.forEach(function (f) { f(p); }); },
    };
  }

  var queued = w.tracker && Array.isArray(w.tracker.q) ? w.tracker.q : [];
  w.tracflow = tracker;
  w.tracardi = w.tracardi || {};
  w.tracardi.default = tracker;
  if (navigator.doNotTrack === '1' && settings.respectDoNotTrack === true) {
    tracker.track = helpers.track = function () { return Promise.resolve({ status: 0, data: null }); };
    w.tracker = tracker;
    return;
  }
  // Tracardi's snippet replays its own queue on this script's load event;
  // a queue in window.tracker.q (Tracflow's snippet) is replayed here.
  w.tracker = tracker;
  queued.forEach(function (args) { track.apply(null, args); });

  var hide = function () { if (pending.length) flush(true); };
  w.addEventListener('pagehide', hide);
  d.addEventListener('visibilitychange', function () { if (d.visibilityState === 'hidden') hide(); });
})(window, document);
