// A python3 that says where some of its code is (libc's malloc and libpython's Py_Initialize, found by
// ctypes), for the symbol tests to name (and compare with test-support/addr2line.ts).
import { spawn } from 'node:child_process'

const SCRIPT = `import ctypes, os, sys
addr = lambda f, k: ctypes.cast(f, ctypes.c_void_p).value + k
print(os.getpid(), addr(ctypes.CDLL(None).malloc, 8), addr(ctypes.pythonapi.Py_Initialize, 4), flush=True)
sys.stdin.read()`

export interface PythonWithCode {
  pid: number
  /** malloc + 8 (in libc.so.6) */
  malloc: number
  /** Py_Initialize + 4 (in libpython or the python3 executable) */
  pyInit: number
  /** closes its stdin: it exits */
  stop(): void
}

/** A python3 waiting on stdin, with the addresses of two functions of its own. */
export async function startPythonWithCode(): Promise<PythonWithCode> {
  const python = spawn('python3', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] })
  // up to the newline: an unbuffered python (PYTHONUNBUFFERED) writes the line in pieces
  const line = await new Promise<string>((ok) => {
    let text = ''
    python.stdout!.on('data', (d: Buffer) => (text += d.toString()).includes('\n') && ok(text))
  })
  const [pid, malloc, pyInit] = line.trim().split(' ').map(Number)
  return { pid, malloc, pyInit, stop: () => python.stdin!.end() }
}
