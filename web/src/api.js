// Every call the GUI makes to Tracflow's management API lives in this file,
// so that a change of route or shape is made in one place. All calls go to
// the page's own origin.

import { trackerSnippet } from './lib/snippet.js';

const TOKEN_KEY = 'tracflow.token';

let token = sessionStorage.getItem(TOKEN_KEY) || '';
let onUnauthorized = () => {};

/** An error answered by the API: status, the message, and per-field errors. */
export class ApiError extends Error {
  constructor(status, detail, errors = [], body = null) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.errors = Array.isArray(errors) ? errors : [];
    this.body = body;
  }
  /** Per-field messages as {field: message}; field-less ones under "". */
  fieldErrors() {
    const out = {};
    for (const e of this.errors) {
      const k = e.field || '';
      if (!(k in out)) out[k] = e.message;
    }
    return out;
  }
}

/**
 * Whether err is a version conflict: the document was changed by someone
 * else since it was read (409 with current_version), as opposed to other
 * conflicts (a locked flow, an e-mail in use).
 */
export function isStale(err) {
  return err instanceof ApiError && err.status === 409 && !!err.body && typeof err.body === 'object' && 'current_version' in err.body;
}

export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export function hasToken() {
  return token !== '';
}

function setToken(t) {
  token = t || '';
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

function describeStatus(status) {
  switch (status) {
    case 403: return 'Your role cannot do this.';
    case 404: return 'Not found.';
    case 409: return 'This conflicts with something that already exists.';
    case 413: return 'The request is too large.';
    case 429: return 'Too many attempts; wait a moment and try again.';
    default: return status >= 500 ? `The server failed (HTTP ${status}).` : `Request failed (HTTP ${status}).`;
  }
}

async function request(method, path, { body, form, auth = true, signal } = {}) {
  const headers = { Accept: 'application/json' };
  let payload;
  if (form) {
    payload = new URLSearchParams(form);
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  if (auth && token) headers.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'Cannot reach the server. Check that Tracflow is running.');
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = text; }
  }
  if (res.ok && typeof data === 'string' && /^\s*</.test(data)) {
    // The GUI's index.html answers paths the server has no route for.
    throw new ApiError(404, `This server has no ${method} ${path.split('?')[0]} (it answered a web page, not JSON).`);
  }
  if (res.ok) return data;

  let detail = data && typeof data === 'object' ? data.detail : null;
  if (Array.isArray(detail)) {
    // FastAPI-style validation list: [{loc, msg}]
    const errors = detail.map((d) => ({ field: (d.loc || []).filter((x) => x !== 'body').join('.'), message: d.msg }));
    throw new ApiError(res.status, errors.map((e) => e.message).join('; '), errors, data);
  }
  if (typeof detail !== 'string') detail = '';
  if (res.status === 403) detail = describeStatus(403) + (detail ? ` (${detail})` : '');
  else if (!detail) detail = describeStatus(res.status);
  const err = new ApiError(res.status, detail, data && data.errors, data);
  if (res.status === 401 && auth) {
    setToken('');
    onUnauthorized(err);
  }
  throw err;
}

const get = (p, o) => request('GET', p, o);
const post = (p, body, o = {}) => request('POST', p, { ...o, body });
const del = (p, o) => request('DELETE', p, o);
const enc = encodeURIComponent;

function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

const yesNo = (b) => (b ? 'yes' : 'no');

// --- Auth ------------------------------------------------------------------

export async function login(username, password) {
  const res = await request('POST', '/user/token', { form: { username, password }, auth: false });
  setToken(res.access_token);
  return res;
}

export async function logout() {
  try {
    await del('/user/token');
  } finally {
    setToken('');
  }
}

export const me = () => get('/user/me');

/** Changes the logged-in user's password; this session stays, the others end. */
export const changeOwnPassword = (currentPassword, newPassword) =>
  post('/user/me/password', { current_password: currentPassword, new_password: newPassword });

// --- Users (admin) ---------------------------------------------------------

export const listUsers = () => get('/users');
export const saveUser = (user) => post('/user', user);
/** Changes any of {full_name, roles, password, disabled}; a new password or disabling logs the user out. */
export const getUser = (id) => get(`/user/${enc(id)}`);
export const updateUser = (id, change) => post(`/user/${enc(id)}`, change);
export const deleteUser = (id) => del(`/user/${enc(id)}`);

// --- Plugins ---------------------------------------------------------------

export const listPlugins = (query = '') => get(`/flow/action/plugins${qs({ query })}`);
export const getPlugin = (id) => get(`/flow/action/plugin/${enc(id)}`);
export const enablePlugin = (id, on) => get(`/flow/action/plugin/${enc(id)}/enable/${yesNo(on)}`);
export const hidePlugin = (id, on) => get(`/flow/action/plugin/${enc(id)}/hide/${yesNo(on)}`);
export const validatePluginConfig = (id, config) => post(`/plugin/${enc(id)}/config/validate`, config);
export const reinstallPlugins = () => get('/install/plugins');

// --- Flows -----------------------------------------------------------------

export const listFlows = ({ query, tag, limit, offset } = {}) => get(`/flows${qs({ query, tag, limit, offset })}`);
export const saveFlowMetadata = (meta) => post('/flow/metadata', meta);
export const getFlowMetadata = (id) => get(`/flow/metadata/${enc(id)}`);
export const getDraft = (id) => get(`/flow/draft/${enc(id)}`);
export const saveDraft = (flow) => post('/flow/draft', flow);
export const importFlow = (flowOrRecord) => post('/flow/import', flowOrRecord);
export const deployFlow = (flow) => post('/flow/production', flow);
export const getProduction = (id) => get(`/flow/production/${enc(id)}`);
export const restoreProduction = (id) => get(`/flow/production/${enc(id)}/restore`);
export const deleteFlow = (id) => del(`/flow/${enc(id)}`);
export const lockFlow = (id, on) => get(`/flow/${enc(id)}/lock/${yesNo(on)}`);
export const rulesByFlow = (id) => get(`/rules/by_flow/${enc(id)}`);

/** Runs a flow in debug mode against a test event or a stored event id. */
export function debugFlow(flow, { event, eventId }) {
  const body = eventId ? { flow, event_id: eventId } : { flow, event };
  return post('/flow/debug', body);
}

// --- Event sources, rules, resources ----------------------------------------

export const listSources = () => get('/event-sources');
export const saveSource = (s) => post('/event-source', s);
export const getSource = (id) => get(`/event-source/${enc(id)}`);
export const deleteSource = (id) => del(`/event-source/${enc(id)}`);

export const listRules = () => get('/rules');
export const saveRule = (r) => post('/rule', r);
export const getRule = (id) => get(`/rule/${enc(id)}`);
export const deleteRule = (id) => del(`/rule/${enc(id)}`);

export const listIdentificationPoints = () => get('/identification-points');
export const saveIdentificationPoint = (p) => post('/identification-point', p);
export const getIdentificationPoint = (id) => get(`/identification-point/${enc(id)}`);
export const deleteIdentificationPoint = (id) => del(`/identification-point/${enc(id)}`);
export const listEventMappings = () => get('/event-mappings');
export const saveEventMapping = (m) => post('/event-mapping', m);
export const getEventMapping = (id) => get(`/event-mapping/${enc(id)}`);
export const deleteEventMapping = (id) => del(`/event-mapping/${enc(id)}`);

export const listResources = () => get('/resources');
export const saveResource = (r) => post('/resource', r);
export const getResource = (id) => get(`/resource/${enc(id)}`);
export const deleteResource = (id) => del(`/resource/${enc(id)}`);
export const listResourceTypes = () => get('/resource-types');
/** Runs the resource type's connection check with the stored credentials of set (production or test). */
export const testResource = (id, set) => post(`/resource/${enc(id)}/test?set=${enc(set)}`, {});

// --- Segments and consents --------------------------------------------------

export const listSegments = () => get('/segments');
export const saveSegment = (s) => post('/segment', s);
export const deleteSegment = (id) => del(`/segment/${enc(id)}`);
export const segmentCount = (id) => get(`/segment/${enc(id)}/count`);
export const segmentProfiles = (id, { limit = 20, after = '' } = {}) => get(`/segment/${enc(id)}/profiles${qs({ limit, after })}`);
export const refreshSegments = () => post('/segments/refresh', {});
export const segmentsProgress = () => get('/segments/refresh');

/** Downloads a segment's export (csv or ndjson) as a file. */
export async function downloadSegment(id, format) {
  const res = await fetch(`/segment/${enc(id)}/export?format=${enc(format)}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new ApiError(res.status, describeStatus(res.status));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `segment-${id}.${format}`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export const listConsentTypes = () => get('/consent-types');
export const saveConsentType = (c) => post('/consent-type', c);
export const deleteConsentType = (id) => del(`/consent-type/${enc(id)}`);
export const profileConsents = (id) => get(`/profile/${enc(id)}/consents`);
export const grantConsent = (id, consent) => post(`/profile/${enc(id)}/consent/${enc(consent)}/grant`, {});
export const revokeConsent = (id, consent) => post(`/profile/${enc(id)}/consent/${enc(consent)}/revoke`, {});

export const listDestinations = () => get('/destinations');
export const saveDestination = (d) => post('/destination', d);
export const getDestination = (id) => get(`/destination/${enc(id)}`);
export const deleteDestination = (id) => del(`/destination/${enc(id)}`);
export const listSchedules = () => get('/schedules');
export const saveSchedule = (d) => post('/schedule', d);
export const getSchedule = (id) => get(`/schedule/${enc(id)}`);
export const deleteSchedule = (id) => del(`/schedule/${enc(id)}`);
export const listDeliveries = (id, { limit = 50, offset = 0 } = {}) => get(`/destination/${enc(id)}/deliveries?limit=${limit}&offset=${offset}`);
export const retryDelivery = (id, delivery) => post(`/destination/${enc(id)}/delivery/${enc(delivery)}/retry`, {});

export function listJobs({ state = '', kind = '', after = '', limit = 50 } = {}) {
  const q = new URLSearchParams({ limit: String(limit) });
  if (state) q.set('state', state);
  if (kind) q.set('kind', kind);
  if (after) q.set('after', after);
  return get(`/jobs?${q}`);
}
export const retryJob = (id) => post(`/job/${enc(String(id))}/retry`, {});
export const cancelJob = (id) => post(`/job/${enc(String(id))}/cancel`, {});

// --- Profiles and events ----------------------------------------------------

export const selectProfiles = ({ where = '', sort, limit = 25, offset = 0 }) =>
  post('/profile/select', { where, sort, limit, offset });
export const getProfile = (id) => get(`/profile/${enc(id)}`);
export const deleteProfile = (id) => del(`/profile/${enc(id)}`);
export const profileEvents = (id, { limit = 50, offset = 0 } = {}) => get(`/profile/${enc(id)}/events${qs({ limit, offset })}`);
export const profileSessions = (id) => get(`/profile/${enc(id)}/sessions`);

export const eventHistogram = ({ where = '', interval = 'hour', from, to }) =>
  post('/event/select/histogram', { where, interval, from, to });

/** Search events or sessions (kind): a TQL condition, an insert-time range, a page. */
export const selectRecords = (kind, { where = '', from = '', to = '', sort, limit = 25, offset = 0 }) =>
  post(`/${kind}/select`, { where, sort, limit, offset, ...(from ? { from } : {}), ...(to ? { to } : {}) });

// --- Tracking (public) -------------------------------------------------------

/** The snippet a site pastes into its pages: Tracflow's tracker, sending to this server. */
export function trackingSnippet(sourceId, origin = window.location.origin) {
  return trackerSnippet(sourceId, origin);
}

// --- Result shapes ------------------------------------------------------------

/** Lists answer {total, result}; some answer a bare array. */
export function rows(res) {
  if (Array.isArray(res)) return res;
  if (res && Array.isArray(res.result)) return res.result;
  return [];
}
