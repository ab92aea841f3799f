import { defineConfig } from 'vite';

// Electron main process bundle (Forge fills in entry and output).
export default defineConfig({
  build: { rollupOptions: { external: ['http-proxy', 'ws', 'zod'] } },
});
