import { defineConfig } from 'vite';

// Preload bundle: sandboxed preloads must be CommonJS with everything bundled in.
export default defineConfig({
  build: { rollupOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true } } },
});
