/**
 * One tool builds all three parts (electron-vite): main (the Electron shell and the browser-mode
 * host, both Node), the sandboxed preload (CommonJS, self-contained) and the React renderer.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { mailFramePolicyForPath } from './src-shared/csp.ts';

const root = import.meta.dirname;
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };

export default defineConfig({
  main: {
    define: { __PETREL_VERSION__: JSON.stringify(pkg.version) },
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(root, 'src-main/electron/main.ts'),
          browser: resolve(root, 'src-main/browser/main.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(root, 'src-main/electron/preload/main.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
      externalizeDeps: false,
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [react(), mailFrameHeaders()],
    build: {
      outDir: 'out/renderer',
      minify: true,
      rollupOptions: { input: resolve(root, 'src-renderer/index.html') },
    },
  },
});

/**
 * In `npm run dev` Vite serves the renderer, not the app:// handler or the browser-mode server:
 * the mail frames need their own policy there too, or remote content would load unnoticed.
 */
function mailFrameHeaders(): Plugin {
  return {
    name: 'petrel-mail-frame-policy',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const policy = mailFramePolicyForPath(new URL(req.url ?? '/', 'http://dev').pathname);
        if (policy) res.setHeader('Content-Security-Policy', policy);
        next();
      });
    },
  };
}
