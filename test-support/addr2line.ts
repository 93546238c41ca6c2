// The independent oracle for symbols: elfutils' eu-addr2line on a live process, every address in ONE
// batch (one process, addresses on stdin), its answers in the shape of our SymbolInfo.
//
//   const answers = await addr2line(pid, [0x7f…n, …])   // one Addr2lineAnswer per address, in order
//
// Run as `eu-addr2line --pid PID -a -f -i -C --pretty-print`: per address a line
// "0x…: inner at file.c:10:5" and, for each inlining, " (inlined by) outer at file.c:20:3". Those frames,
// innermost first, become ours: the outermost is function/file/line, the others inlined[] (innermost
// first). eu-addr2line names functions by DWARF first (__GI___libc_malloc where the symbol table says
// malloc) and the symbol otherwise; it prints absolute paths (comp dir + name), as our file does.
import { spawn } from 'node:child_process'

export interface Addr2lineFrame {
  /** demangled; null where eu-addr2line says ?? */
  function: string | null
  file: string | null
  /** null where it says 0 */
  line: number | null
}

export interface Addr2lineAnswer extends Addr2lineFrame {
  address: bigint
  /** innermost first */
  inlined: Addr2lineFrame[]
}

const PREFIX = ' (inlined by) '

function frame(text: string): Addr2lineFrame {
  const at = text.lastIndexOf(' at ')
  const name = at < 0 ? text : text.slice(0, at)
  const place = at < 0 ? '??:0' : text.slice(at + 4)
  const match = /^(.*?):(\d+)(?::\d+)?$/.exec(place)
  const file = match ? match[1]! : place
  const line = match ? Number(match[2]) : 0
  return { function: name === '??' ? null : name, file: file === '??' ? null : file, line: line === 0 ? null : line }
}

/** Parses eu-addr2line -a -f -i -C --pretty-print output: one answer per "0x…: " line, in order. */
export function parseAddr2line(output: string): Addr2lineAnswer[] {
  const answers: Addr2lineAnswer[] = []
  let frames: Addr2lineFrame[] = []
  let address: bigint | null = null
  const flush = () => {
    if (address === null) return
    const outer = frames[frames.length - 1]!
    answers.push({ address, ...outer, inlined: frames.slice(0, -1) })
  }
  for (const line of output.split('\n')) {
    if (line.startsWith(PREFIX)) {
      if (address === null) throw new Error(`eu-addr2line: an inlined frame before any address: ${line}`)
      frames.push(frame(line.slice(PREFIX.length)))
      continue
    }
    const head = /^(0x[0-9a-f]+): (.*)$/.exec(line)
    if (!head) {
      if (line.trim() !== '') throw new Error(`eu-addr2line: unexpected output line: ${line}`)
      continue
    }
    flush()
    address = BigInt(head[1]!)
    frames = [frame(head[2]!)]
  }
  flush()
  return answers
}

/**
 * eu-addr2line's answers for `addresses` of process `pid`, in order (one run for all of them). Rejects
 * when eu-addr2line cannot run (not installed: Debian elfutils) or answers a different count.
 */
export function addr2line(pid: number, addresses: readonly bigint[]): Promise<Addr2lineAnswer[]> {
  return run(['--pid', String(pid)], addresses, `--pid ${pid}`)
}

/** The same for addresses of an ELF file itself (its link-time addresses), e.g. a copy of a deleted library. */
export function addr2lineFile(file: string, addresses: readonly bigint[]): Promise<Addr2lineAnswer[]> {
  return run(['-e', file], addresses, `-e ${file}`)
}

function run(target: string[], addresses: readonly bigint[], what: string): Promise<Addr2lineAnswer[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('eu-addr2line', [...target, '-a', '-f', '-i', '-C', '--pretty-print'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, DEBUGINFOD_URLS: '' }
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', (error) => reject(new Error(`cannot run eu-addr2line (Debian: apt-get install elfutils): ${error.message}`)))
    // It exits 1 when some address has no answer; only the count of answers tells success.
    child.on('close', () => {
      try {
        const answers = parseAddr2line(Buffer.concat(out).toString('utf8'))
        if (answers.length !== addresses.length) {
          throw new Error(`eu-addr2line ${what} answered ${answers.length} of ${addresses.length} addresses: ${Buffer.concat(err).toString('utf8').trim()}`)
        }
        resolve(answers)
      } catch (error) {
        reject(error as Error)
      }
    })
    child.stdin.on('error', () => {})
    child.stdin.end(addresses.map((a) => `0x${a.toString(16)}`).join('\n') + '\n')
  })
}
