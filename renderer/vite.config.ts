// Vite build of the studio renderer (browser code). `npm run build:renderer` (run from the repo root)
// writes renderer/dist, which both the Electron shell (custom protocol) and `mtl-studio serve` deliver.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: 'renderer',
  // Relative asset URLs: the same build is loaded from a custom protocol and from http://127.0.0.1:P/.
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist', // relative to root → renderer/dist
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    sourcemap: true,
  },
  server: { host: '127.0.0.1' },
});
