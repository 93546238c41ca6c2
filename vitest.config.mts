import { defineConfig } from 'vitest/config'
import react from '@vitejs/plugin-react'

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [react()],
        test: { name: 'renderer', environment: 'jsdom', include: ['src-renderer/**/*.test.{ts,tsx}'] }
      },
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['scripts/**/*.test.ts', 'src-common/**/*.test.ts', 'src-main/**/*.test.ts', 'native/test/**/*.test.ts', 'bench/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000
        }
      }
    ]
  }
})
