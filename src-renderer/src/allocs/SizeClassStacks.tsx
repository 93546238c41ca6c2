// Under a heap walk's size class: the stacks that allocated blocks of that size, from the trace of the
// same process (live, or its last finished one), or a button to start one.
import { useMemo } from 'react'
import { stacksInSizeClass } from '../../../src-common/model/allocs/sizeClass'
import { fmtCount } from '../../../src-common/model/format/format'
import { sizeLabel } from '../heaps/sizes'
import { StackList } from './AllocsView'
import type { AllocsController } from './useAllocsController'

export interface SizeClassLink {
  allocs: AllocsController
  /** starts a trace of the process and shows the Allocations tab */
  onTrace(): void
}

const SHOWN = 10

export function SizeClassStacks({ link, pid, minSize, maxSize }: { link: SizeClassLink; pid: number; minSize: number; maxSize: number }) {
  const { allocs } = link
  const live = allocs.pid === pid && (allocs.phase === 'running' || allocs.phase === 'stopping') ? allocs.live : null
  const finished = allocs.finished.get(pid)
  const stacks = live ? live.stacks : finished?.doc.stacks
  const inClass = useMemo(() => {
    if (!stacks) return null
    const found = [...stacksInSizeClass(stacks, minSize, maxSize)].map((i) => stacks[i])
    return found.sort((a, b) => b.leaked.bytes - a.leaked.bytes || b.allocations - a.allocations)
  }, [stacks, minSize, maxSize, allocs.version])
  const label = `${sizeLabel(minSize)}–${sizeLabel(maxSize)}`
  return (
    <section className="size-class-stacks" aria-label={`Stacks that allocated ${label} blocks`} data-testid="size-class-stacks">
      <h4>Who allocates {label} blocks</h4>
      {!inClass ? (
        <p className="muted small">
          No allocation trace of pid {pid} yet.{' '}
          <button type="button" data-testid="size-class-trace" disabled={allocs.phase === 'starting' || allocs.phase === 'running'} onClick={link.onTrace}>
            Trace its allocations
          </button>
        </p>
      ) : inClass.length === 0 ? (
        <p className="muted small" data-testid="size-class-none">
          None of the {fmtCount(stacks!.length)} stacks {live ? 'traced so far' : 'of the last trace'} allocates blocks of this size on average.
        </p>
      ) : (
        <>
          <p className="muted small">
            {fmtCount(inClass.length)} stacks whose mean allocation is served from this class, {live ? 'live' : 'from the last trace'}; most leaked first
          </p>
          <StackList stacks={inClass.slice(0, SHOWN)} />
        </>
      )}
    </section>
  )
}
