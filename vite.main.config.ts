import { defineConfig } from 'vite';

// Electron main process bundle (Forge fills in the entry). The package is
// "type": "module", so the CommonJS bundle is named .cjs to load as CommonJS.
export default defineConfig({
  build: {
    rollupOptions: {
      external: ['http-proxy', 'ws', 'zod'],
      output: { format: 'cjs', entryFileNames: '[name].cjs' },
    },
  },
});
