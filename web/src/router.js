// A small hash router: routes look like #/flows or #/flow/<id>, so the
// server needs no fallback for deep links. A blocker (the editor's
// unsaved-changes guard) may veto leaving the current route.
import { useEffect, useState } from 'react';

let blocker = null;
let lastHash = window.location.hash;
let allowedHash = null; // a hash navigate() already cleared with the blocker

/** fn(to) returns a Promise<boolean>: true lets the navigation happen. */
export function setNavigationBlocker(fn) {
  blocker = fn;
  return () => {
    if (blocker === fn) blocker = null;
  };
}

export function parseHash(hash = window.location.hash) {
  const raw = hash.replace(/^#\/?/, '');
  const [pathPart, queryPart = ''] = raw.split('?');
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, query: Object.fromEntries(new URLSearchParams(queryPart)), path: '/' + parts.join('/') };
}

export async function navigate(to, { replace = false } = {}) {
  const hash = '#' + (to.startsWith('/') ? to : '/' + to);
  if (hash === window.location.hash) return true;
  if (blocker && !(await blocker(to))) return false;
  allowedHash = hash;
  if (replace) window.location.replace(hash);
  else window.location.hash = hash;
  return true;
}

export function useRoute() {
  const [route, setRoute] = useState(() => parseHash());
  useEffect(() => {
    let reverting = false;
    const onChange = async () => {
      if (reverting) {
        reverting = false;
        return;
      }
      const next = window.location.hash;
      const cleared = next === allowedHash;
      allowedHash = null;
      if (blocker && !cleared && next !== lastHash) {
        const target = parseHash(next).path;
        const allowed = await blocker(target);
        if (!allowed) {
          reverting = true;
          window.location.hash = lastHash;
          return;
        }
      }
      lastHash = next;
      setRoute(parseHash(next));
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
