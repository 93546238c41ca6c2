// One item of an open file, summarized: a snapshot's biggest processes and the target's modules, heap
// walks' size classes, a timeline's charts and trend flags, a watch's faults by module and code, code names,
// an allocation trace's stacks.
import type { FileItem } from '../../../src-common/contract/fileTypes'
import { itemKind } from '../../../src-common/model/diff/observation'
import { sumHeaps } from '../../../src-common/model/capture/heapTotals'
import { formatDuration } from '../../../src-common/model/capture/duration'
import { fmtBytes, fmtCount, fmtTime } from '../../../src-common/model/format/format'
import { TimelineCharts } from '../timeline/TimelineCharts'
import { SimpleTable } from './SimpleTable'
import { SizeClassBars } from './SizeClassBars'
import { codeText, fileLineText } from '../../../src-common/model/symbols/symbolText'
import { Name } from '../common/Name'
import { chainText, siteText } from '../../../src-common/model/allocs/stackText'

const Stats = ({ items }: { items: [string, string][] }) => (
  <div className="wb-stats">
    {items.map(([label, value]) => (
      <div key={label} className="wb-stat">
        <span>{label}</span>
        <strong>{value}</strong>
      </div>
    ))}
  </div>
)

function Body({ item }: { item: FileItem }) {
  switch (item.format) {
    case 'snapscope.snapshot/1': {
      const top = [...item.processes].sort((a, b) => b.workingSetBytes - a.workingSetBytes)
      return (
        <>
          <Stats
            items={[
              ['Processes', fmtCount(item.processes.length)],
              ['Threads', fmtCount(item.processes.reduce((s, p) => s + p.threadCount, 0))],
              ['Modules', fmtCount(item.modules.length)],
              ['Read errors', fmtCount(item.errors.length)]
            ]}
          />
          <SimpleTable
            caption="Processes, by working set"
            testId="item-processes"
            rows={top}
            max={15}
            marked={(p) => p.pid === item.targetPid}
            cols={[
              { label: 'PID', numeric: true, value: (p) => p.pid },
              { label: 'Executable', value: (p) => p.exeFile },
              { label: 'User', value: (p) => p.user },
              { label: 'Threads', numeric: true, value: (p) => fmtCount(p.threadCount) },
              { label: 'Working set', numeric: true, value: (p) => fmtBytes(p.workingSetBytes) },
              { label: 'Private', numeric: true, value: (p) => (p.privateBytes === undefined ? '—' : fmtBytes(p.privateBytes)) }
            ]}
          />
          <SimpleTable
            caption={`Modules of pid ${item.modules[0]?.pid ?? ''}`}
            testId="item-modules"
            rows={item.modules}
            max={20}
            cols={[
              { label: 'Module', value: (m) => m.moduleName },
              { label: 'Base', mono: true, value: (m) => m.baseAddress },
              { label: 'Size', numeric: true, value: (m) => fmtBytes(m.baseSize) },
              { label: 'Path', mono: true, value: (m) => m.exePath }
            ]}
          />
        </>
      )
    }
    case 'snapscope.heapwalks/1':
    case 'snapscope.heapwalk/1': {
      const totals = sumHeaps(item.format === 'snapscope.heapwalks/1' ? item.heaps.map((h) => h.summary) : [item.summary])
      return (
        <>
          <Stats
            items={[
              ['Heaps', fmtCount(totals.heapCount)],
              ['Blocks in use', fmtCount(totals.usedBlocks)],
              ['Bytes in use', fmtBytes(totals.usedBytes)],
              ['Free', fmtBytes(totals.freeBytes)]
            ]}
          />
          <SizeClassBars title="Blocks per size class" testId="item-size-classes" sets={[{ label: 'blocks', histogram: totals.histogram }]} />
        </>
      )
    }
    case 'snapscope.timeline/1':
      return (
        <>
          <Stats
            items={[
              ['Samples', fmtCount(item.samples.length)],
              ['Every', formatDuration(item.everyMs)],
              ['Ended', item.endReason]
            ]}
          />
          <TimelineCharts samples={item.samples} />
        </>
      )
    case 'snapscope.wswatch/1':
      return (
        <>
          <Stats
            items={[
              ['Faults', fmtCount(item.summary.total)],
              ['Lost', fmtCount(item.lost)],
              ['Duration', formatDuration(item.durationMs)],
              ['Mechanism', item.mechanism]
            ]}
          />
          <SimpleTable
            caption="Faults by module"
            testId="item-faults"
            rows={item.summary.byModule}
            max={12}
            cols={[
              { label: 'Module', value: (m) => m.module },
              { label: 'Faults', numeric: true, value: (m) => fmtCount(m.count) }
            ]}
          />
          <SimpleTable
            caption="Code that faulted most"
            testId="item-top-pcs"
            rows={item.summary.topPcs}
            max={12}
            cols={[
              { label: 'Code', mono: true, value: (p) => <Name>{codeText(p)}</Name> },
              { label: 'Source', mono: true, value: (p) => <Name>{fileLineText(p)}</Name> },
              { label: 'Module', value: (p) => <Name>{p.module ?? ''}</Name> },
              { label: 'Faults', numeric: true, value: (p) => fmtCount(p.count) }
            ]}
          />
        </>
      )
    case 'snapscope.allocs/1':
      return (
        <>
          <Stats
            items={[
              ['Allocations', fmtCount(item.totals.allocations)],
              ['Temporary', fmtCount(item.totals.temporary)],
              ['Leaked', `${fmtBytes(item.totals.leakedBytes)} in ${fmtCount(item.totals.leakedBlocks)} blocks`],
              ['Peak', fmtBytes(item.totals.peakBytes)],
              ['Lost events', fmtCount(item.lost)],
              ['Traced', formatDuration(item.durationMs)]
            ]}
          />
          <SimpleTable
            caption="Stacks, most leaked first"
            testId="item-alloc-stacks"
            rows={item.stacks}
            max={20}
            cols={[
              { label: 'Allocated at', value: (s) => siteText(s.frames) },
              { label: 'Leaked', value: (s) => fmtBytes(s.leaked.bytes), numeric: true },
              { label: 'Allocations', value: (s) => fmtCount(s.allocations), numeric: true },
              { label: 'Call chain', value: (s) => chainText(s.frames) }
            ]}
          />
        </>
      )
    case 'snapscope.symbols/1':
      return (
        <>
          <Stats
            items={[
              ['Addresses', fmtCount(item.symbols.length)],
              ['Functions named', fmtCount(item.symbols.filter((s) => s.function !== null).length)]
            ]}
          />
          <SimpleTable
            caption="Addresses"
            testId="item-symbols"
            rows={item.symbols}
            max={50}
            cols={[
              { label: 'Address', mono: true, value: (s) => s.address },
              { label: 'Code', mono: true, value: (s) => <Name>{codeText(s)}</Name> },
              { label: 'Source', mono: true, value: (s) => <Name>{fileLineText(s)}</Name> },
              { label: 'Module', value: (s) => <Name>{s.module ?? ''}</Name> }
            ]}
          />
        </>
      )
  }
}

const when = (item: FileItem) => ('takenAt' in item ? item.takenAt : (item.startedAt ?? ''))

export function ItemSummary({ item, index }: { item: FileItem; index: number }) {
  return (
    <section className="wb-item" data-testid="file-item" data-format={item.format} aria-label={`Item ${index}: ${itemKind(item)}`}>
      <h3>
        #{index} {itemKind(item)}
        {'pid' in item || ('targetPid' in item && item.targetPid !== null) ? <span className="muted"> · pid {'pid' in item ? item.pid : item.targetPid}</span> : null}
        <span className="muted"> · {fmtTime(when(item), 'local')}</span>
      </h3>
      <Body item={item} />
    </section>
  )
}
