/**
 * The web app's build: Preact, bundled into web/dist, which the API server serves at /.
 * In development (`npx vite web`) API calls are proxied to a Loupe server on 127.0.0.1:3000.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The build must be byte-for-byte reproducible and small; no source maps in the served bundle.
    sourcemap: false,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/v1': 'http://127.0.0.1:3000', '/openapi.json': 'http://127.0.0.1:3000' },
  },
  preview: { host: '127.0.0.1' },
});
