import { defineConfig } from 'vite';

// Preload bundle: sandboxed, so everything it imports is bundled in.
export default defineConfig({});
