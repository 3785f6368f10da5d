import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The console builds to console/dist; the API process serves it (npm start → http://localhost:3000/).
export default defineConfig({
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
