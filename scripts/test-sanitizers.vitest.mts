// The native tests again, against the ASan/UBSan build of the addon (scripts/test-sanitizers.mjs runs
// this with the runtimes preloaded and SNAPSCOPE_ADDON pointing at native/build-asan).
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    name: 'sanitizers',
    root: new URL('..', import.meta.url).pathname,
    environment: 'node',
    include: ['native/test/**/*.test.ts'],
    setupFiles: ['scripts/test-sanitizers.setup.ts'],
    // Left out (reported as skipped): this test checks the [heap] (brk) mapping of the inspector's
    // own process, and under ASan node's malloc is ASan's allocator, which never calls brk.
    testNamePattern: /^(?!.*memory regions classify the heap, every thread's stack and the images)/,
    // Forks, one at a time: each worker is its own node process (the preload applies to it), and the
    // instrumented addon is slower, so timing-sensitive tests get the machine to themselves.
    pool: 'forks',
    fileParallelism: false,
    // ASan slows the addon down several times, which widens the timing windows some tests probe: a
    // thread created in the microseconds a watch takes to start can be counted twice (a race
    // perf_watch.cc documents). A test that fails is run again, up to three times; a sanitizer report
    // aborts the worker all the same, retry or not.
    retry: 3,
    testTimeout: 90_000,
    hookTimeout: 90_000
  }
})
