import { describe, expect, it } from 'vitest'
import type { SnapshotError } from '../../../src-main/ipc/contract'
import { readErrors } from './StatusBar'

const error = (pid: number, code: string): SnapshotError => ({ pid, scope: 'process', code, message: `${code} for ${pid}` })

describe('readErrors', () => {
  it('counts the errors of a refresh by cause and says what to do about denied ones', () => {
    expect(readErrors([error(7, 'ESRCH')])).toBe('1 read error: 1 exited while being read')
    expect(readErrors([error(1, 'EACCES'), error(2, 'EPERM'), error(3, 'ENOENT'), error(4, 'EMFILE')])).toBe(
      "4 read errors: 2 denied (other users' processes: run Snapscope as root to read them), 1 exited while being read, 1 other (hover for details)"
    )
  })
})
