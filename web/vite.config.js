import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The API is served by `tracflow serve`; in development Vite proxies the API
// routes to it (TRACFLOW_URL, default http://127.0.0.1:8686).
const backend = process.env.TRACFLOW_URL || 'http://127.0.0.1:8686';
const apiRoutes = [
  '/user', '/users', '/flow', '/flows', '/plugin', '/install', '/event-source', '/event-sources',
  '/event', '/rule', '/rules', '/resource', '/resources', '/profile', '/session', '/track',
  '/healthz', '/readyz', '/openapi.json', '/docs',
];

export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: Object.fromEntries(apiRoutes.map((r) => [r, { target: backend, changeOrigin: false }])),
  },
});
