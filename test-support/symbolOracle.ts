// What the symbol tests compare with: eu-addr2line reading a live process, and a python3 that says
// where some of its code is (libc's malloc and libpython's Py_Initialize, found by ctypes).
import { execFileSync, spawn } from 'node:child_process'

export interface Addr2Line {
  /** "symbol+0xoff" from the symbol table (-S), null when none */
  symbol: string | null
  file: string | null
  line: number | null
}

/** eu-addr2line --pid PID -S: the symbol and file:line of each address, read in the process itself. */
export function addr2line(pid: number, addresses: readonly (number | bigint)[]): Addr2Line[] {
  const args = ['--pid', String(pid), '-S', ...addresses.map((a) => '0x' + a.toString(16))]
  const lines = execFileSync('eu-addr2line', args, { encoding: 'utf8' }).trim().split('\n')
  return addresses.map((_, i) => {
    const where = /^(.+?):(\d+)(?::\d+)?$/.exec(lines[2 * i + 1])
    return { symbol: lines[2 * i] === '??' ? null : lines[2 * i], file: where && where[1] !== '??' ? where[1] : null, line: where && Number(where[2]) ? Number(where[2]) : null }
  })
}

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
