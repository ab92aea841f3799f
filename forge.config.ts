/**
 * Electron Forge: builds electron/main.ts, electron/preload.ts and the
 * renderer with Vite, and packages the app. (`npm start` goes through
 * bin/start.js, which falls back to browser mode where Electron cannot run.)
 */
import type { ForgeConfig } from '@electron-forge/shared-types';
import { VitePlugin } from '@electron-forge/plugin-vite';
import { MakerZIP } from '@electron-forge/maker-zip';

const config: ForgeConfig = {
  packagerConfig: { asar: true, name: 'LB Workbench', executableName: 'lb-workbench' },
  makers: [new MakerZIP({}, ['darwin', 'linux', 'win32'])],
  plugins: [
    new VitePlugin({
      build: [
        { entry: 'electron/main.ts', config: 'vite.main.config.ts', target: 'main' },
        { entry: 'electron/preload.ts', config: 'vite.preload.config.ts', target: 'preload' },
        // The load generator's worker thread, loaded by core/demo/load as worker.cjs beside main.
        { entry: 'core/demo/load/worker.ts', config: 'vite.main.config.ts', target: 'main' },
      ],
      renderer: [{ name: 'main_window', config: 'vite.renderer.config.ts' }],
    }),
  ],
};

export default config;
