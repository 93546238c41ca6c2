// Untrusted names in the header, the status bar and the tree: each in an isolate, bidi controls
// shown as escapes (U+202E would otherwise show "photo\u202Egpj.exe" as "photoexe.jpg").
import '../test/layout'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { App } from '../App'
import { fakeApi, settle } from '../test/fakeApi'
import { delta } from '../test/fixtures'
import { snapshot } from '../test/recorded'
import { ThemeProvider } from '../theme/ThemeContext'

afterEach(cleanup)

const CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F]/
const evil = { ...snapshot.processes[0], exeFile: 'photo\u202Egpj.exe', exePath: '/tmp/\u2067x/photo', cmdline: ['photo', '--name=\u202Dabc'], user: 'bob\u200F' }

/** The text of `el`, which must be (or sit in) a <bdi> and hold no raw bidi control. */
function isolated(el: Element | null): string {
  expect(el?.closest('bdi'), el?.outerHTML).not.toBeNull()
  expect(el!.textContent).not.toMatch(CONTROLS)
  return el!.textContent!
}

describe('names from the inspected machine', () => {
  it('are isolated and show their bidi controls in the inspector header, details, tree and status bar', async () => {
    const h = fakeApi({
      'app.hello': () => ({ version: '1', mode: 'browser', host: { ...snapshot.host, hostname: 'vm\u202Ex' }, elevated: true }),
      'processes.watch': (p) => ({ intervalMs: p.intervalMs }),
      'process.details': (p) => ({ pid: p.pid })
    })
    render(
      <ThemeProvider>
        <App api={h.api} />
      </ThemeProvider>
    )
    h.emit('processes.delta', delta({ reset: true, added: [evil], threadsAdded: [] }))
    const row = document.querySelector(`[data-testid="process-row"][data-pid="${evil.pid}"]`)!
    fireEvent.click(row)
    await settle()

    const title = screen.getByTestId('inspector-title')
    expect(isolated(title.querySelector('bdi'))).toBe('photo\\u202Egpj.exe')
    expect(title.textContent).toBe(`photo\\u202Egpj.exe pid ${evil.pid}`)
    expect(isolated(document.querySelector('.details h2 bdi'))).toBe('photo\\u202Egpj.exe')
    expect(isolated(document.querySelector('[data-field="Command line"] dd bdi'))).toBe('photo --name=\\u202Dabc')

    const name = row.querySelector('[data-col="name"] bdi')!
    expect(isolated(name)).toBe('photo\\u202Egpj.exe')
    expect(name.getAttribute('title')).toBe('/tmp/\\u2067x/photo')
    expect(isolated(row.querySelector('[data-col="user"] bdi'))).toBe('bob\\u200F')
    expect(row.querySelector('[data-col="cmdline"]')!.getAttribute('title')).toBe('photo --name=\\u202Dabc')

    expect(isolated(screen.getByTestId('status-host').querySelector('bdi'))).toBe('vm\\u202Ex')
    expect(document.body.innerHTML).not.toMatch(CONTROLS)
  })
})
