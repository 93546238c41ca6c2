// A module or heap list that could not be read says why (the snapshot's own error) and what to do,
// and the advice knows whether Snapscope already runs as root.
import '../test/layout'
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Hello, SnapshotError } from '../../../src-common/contract/contract'
import { HostContext } from '../common/HostContext'
import { REFUSED_TO_ELEVATED } from '../common/problems'
import { HeapsView } from '../heaps/HeapsView'
import { ModulesView } from '../modules/ModulesView'
import { fakeApi } from '../test/fakeApi'
import { snapshot } from '../test/recorded'
import { idleWatch } from '../test/watchStub'
import type { PidSnapshot } from './usePidSnapshot'

afterEach(cleanup)

// What the Linux backend answers for a process that even root may not read (pid 1 of this VM).
const denied = (scope: string): SnapshotError => ({
  pid: 1,
  scope,
  code: 'EACCES',
  message: 'cannot open /proc/1/maps: Permission denied (EACCES); process 1 is refused even to root'
})
const unreadable: PidSnapshot = {
  snapshot: { ...snapshot, targetPid: 1, modules: [], heapLists: [], errors: [denied('modules'), denied('heaplist')] },
  problem: null,
  loading: false,
  refresh: vi.fn()
}
const hello = (elevated: boolean): Hello => ({ version: '1', mode: 'browser', host: snapshot.host, elevated })

function show(view: 'modules' | 'heaps', elevated: boolean) {
  const api = fakeApi().api
  render(
    <HostContext.Provider value={hello(elevated)}>
      {view === 'modules' ? (
        <ModulesView api={api} pid={1} snapshot={unreadable} watch={idleWatch()} active onStartWatch={() => {}} />
      ) : (
        <HeapsView api={api} pid={1} snapshot={unreadable} active />
      )}
    </HostContext.Provider>
  )
  return screen.getByTestId(`${view}-error`)
}

describe('an unreadable list', () => {
  it.each(['modules', 'heaps'] as const)('%s: shows the error, not an empty list, with advice for root', (view) => {
    const notice = show(view, true)
    expect(notice.dataset.code).toBe('EACCES')
    expect(notice.textContent).toContain(`Listing the ${view === 'modules' ? 'modules' : 'heaps'} of pid 1 failed`)
    expect(notice.textContent).toContain('refused even to root')
    expect(notice.textContent).toContain(REFUSED_TO_ELEVATED.linux)
    expect(screen.queryByTestId(`${view}-empty`)).toBeNull()
  })

  it('tells a user who is not root to run as the owner or as root', () => {
    expect(show('heaps', false).textContent).toContain('run Snapscope as the user that owns the process, or as root')
  })
})
