// Test harness: builds and starts a real `tracflow serve` (fresh data folder,
// a port the OS picks, admin credentials from the environment) and launches
// Debian's chromium through playwright-core.
//
// TRACFLOW_E2E_URL=http://host:port runs the tests against a server that is
// already running instead (its admin must be TRACFLOW_ADMIN_EMAIL /
// TRACFLOW_ADMIN_PASSWORD).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Screenshots go to TRACFLOW_SCREENSHOTS (relative to the repository, e.g.
// docs/img to refresh the documentation's), else to a temporary folder, so
// that a test run leaves the work tree as it found it.
export const SHOTS = process.env.TRACFLOW_SCREENSHOTS
  ? path.resolve(ROOT, process.env.TRACFLOW_SCREENSHOTS)
  : path.join(os.tmpdir(), 'tracflow-e2e-screenshots');
export const ADMIN_EMAIL = process.env.TRACFLOW_ADMIN_EMAIL || 'admin@example.com';
export const ADMIN_PASSWORD = process.env.TRACFLOW_ADMIN_PASSWORD || 'e2e-Password-1';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Starts the server; returns {url, stop, log()}. */
export async function startServer() {
  if (process.env.TRACFLOW_E2E_URL) {
    return { url: process.env.TRACFLOW_E2E_URL.replace(/\/$/, ''), stop: async () => {}, log: () => '' };
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracflow-e2e-'));
  const bin = path.join(tmp, 'tracflow');
  execFileSync('go', ['build', '-o', bin, './cmd/tracflow'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  const data = path.join(tmp, 'data');
  const child = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--data', data, '--no-demo'], {
    env: { ...process.env, TRACFLOW_ADMIN_EMAIL: ADMIN_EMAIL, TRACFLOW_ADMIN_PASSWORD: ADMIN_PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tracflow serve did not start in 30 s:\n${log}`)), 30000);
    const onData = (chunk) => {
      log += chunk;
      const m = /url=(http:\/\/[0-9.:]+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tracflow serve exited with ${code}:\n${log}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    url,
    log: () => log,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => { child.once('exit', r); setTimeout(r, 5000); });
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Calls the API directly (for steps a site, not a person, does). */
export async function api(base, method, p, { token, body, form } = {}) {
  const headers = {};
  let payload;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(form).toString();
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(base + p, { method, headers, body: payload });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!res.ok) throw new Error(`${method} ${p}: HTTP ${res.status}: ${text}`);
  return data;
}

export async function apiToken(base) {
  const r = await api(base, 'POST', '/user/token', { form: { username: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  return r.access_token;
}

export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  // Notifications of earlier steps would cover the screen: dismiss them.
  await page.evaluate(() => document.querySelectorAll('.toast-close').forEach((b) => b.click()));
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** Drags from one element's centre to another's with real mouse events. */
export async function dragMouse(page, from, to) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error('drag: element not visible');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2 + 5, (a.y + b.y) / 2 + 5, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
}
