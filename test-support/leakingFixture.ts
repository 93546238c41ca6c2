// For tests (command and e2e): native/test/fixtures/heap_fixture as a process that leaks on demand,
// `blocks` blocks of `size` bytes each time leak() is called; leak() returns once it has leaked.
import { startFixture } from '../native/test/fixtures'

export interface LeakingFixture {
  pid: number
  leak(): Promise<void>
  stop(): Promise<void>
}

export async function startLeakingFixture(blocks: number, size: number): Promise<LeakingFixture> {
  const fixture = await startFixture<{ pid: number }>('heap_fixture', ['--leak', String(blocks), '--leak-size', String(size)])
  const { proc } = fixture
  let leaks = 0
  // The fixture answers "ping" with the leaks done so far: ask until it says this one is done.
  const leaked = (want: number) =>
    new Promise<void>((resolve, reject) => {
      let seen = ''
      const timer = setTimeout(() => done(new Error(`heap_fixture did not leak (${want} asked)`)), 5000)
      const onData = (chunk: Buffer) => {
        seen += chunk
        for (let end = seen.indexOf('\n'); end >= 0; end = seen.indexOf('\n')) {
          const line = seen.slice(0, end)
          seen = seen.slice(end + 1)
          if (JSON.parse(line).pong >= want) return done()
          proc.stdin!.write('ping\n')
        }
      }
      const done = (err?: Error) => {
        clearTimeout(timer)
        proc.stdout!.off('data', onData)
        if (err) reject(err)
        else resolve()
      }
      proc.stdout!.on('data', onData)
      proc.stdin!.write('ping\n')
    })
  return {
    pid: fixture.info.pid,
    leak: () => {
      process.kill(fixture.info.pid, 'SIGUSR1')
      return leaked(++leaks)
    },
    stop: fixture.stop
  }
}
