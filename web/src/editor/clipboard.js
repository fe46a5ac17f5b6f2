// The editor's clipboard of nodes: one per tab, kept in this module (so that
// it outlives the editor when another workflow is opened) and mirrored to
// sessionStorage (so that it outlives a reload of the page).

const KEY = 'tracflow.clipboard';
let clip = null;

/** Stores a copied selection ({nodes, edges}). */
export function writeClipboard(value) {
  clip = value;
  try { sessionStorage.setItem(KEY, JSON.stringify(value)); } catch { /* too large: keep it in memory only */ }
}

/** The last copied selection, or null. */
export function readClipboard() {
  if (clip) return clip;
  try { clip = JSON.parse(sessionStorage.getItem(KEY) || 'null'); } catch { clip = null; }
  return clip;
}
