/**
 * Builds the renderer (`npx vite build --config vite.renderer.config.ts`) into
 * renderer/dist with relative asset paths, so the same bundle loads from
 * file:// in Electron and from `lbw serve` over HTTP.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('./renderer', import.meta.url));

/**
 * The dev server injects an inline script for React Fast Refresh, which the
 * page's CSP (script-src 'self') rightly blocks; drop the CSP in dev only.
 */
function devWithoutCsp(): Plugin {
  return {
    name: 'lbw-dev-without-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[\s\S]*?\/>/, ''),
  };
}

export default defineConfig(({ command }) => {
  // A build is always React's production build: Vite keeps a NODE_ENV it
  // finds set, and one built under vitest (NODE_ENV=test, as the e2e tests
  // do) came out a development build, several times slower to render.
  if (command === 'build') process.env.NODE_ENV = 'production';
  return {
    root,
    base: './',
    plugins: [react(), devWithoutCsp()],
    build: {
      outDir: fileURLToPath(new URL('./renderer/dist', import.meta.url)),
      emptyOutDir: true,
      // recharts and its d3 parts make one chunk past the 500 kB default; it loads from disk.
      chunkSizeWarningLimit: 1000,
    },
  };
});
