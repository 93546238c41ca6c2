import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

const r = (p: string) => resolve(__dirname, p)

// main/ holds every Node entry point: the Electron main process, the `snapscope` command and the
// browser-mode host share the core, and none of them but index imports electron.
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: r('src-main/electron/main.ts'),
          cli: r('src-main/cli/snapscope.ts'),
          // a file is parsed in a worker thread (core/files/workerLoader.ts)
          parseWorker: r('src-main/core/files/parseWorker.ts')
        }
      }
    }
  },
  // The preload runs sandboxed, where require() knows only electron: whatever it imports is bundled in
  // (it takes only the channel names and types, see contract/electronChannels.ts).
  preload: { build: { externalizeDeps: false, rollupOptions: { input: { index: r('src-main/electron/preload.ts') } } } },
  renderer: {
    root: r('src-renderer'),
    // Minified: the page parses a third of the bytes before it can connect (a sourcemap keeps it readable).
    build: { minify: 'esbuild', sourcemap: true, rollupOptions: { input: { index: r('src-renderer/index.html') } } },
    plugins: [react()]
  }
})
