// The faults that hit the selected module: how many (raised by code in it, by pc), their rate over
// the last minute, and the module's top faulting code from the watch's recent records.
import { Area, AreaChart, YAxis } from 'recharts'
import type { ConnectedApi } from '../api/connectedApi'
import { CountBars } from '../common/CountBars'
import { Name } from '../common/Name'
import { EmptyState, ErrorNotice } from '../common/Notice'
import { fmtBytes, fmtCount } from '../../../src-common/model/format/format'
import { usePalette } from '../theme/ThemeContext'
import type { WatchController } from '../watch/useWatchController'
import { useWindowSummary } from '../watch/useWindowSummary'
import type { ModuleRow } from './moduleColumns'
import { pcRow } from '../watch/pcRow'

const SPARK_MS = 60_000
/** store versions (updates) between two readings of the module's top pcs: about every 2 s */
const TOP_PCS_EVERY = 8

interface ModuleFaultsProps {
  api: ConnectedApi
  module: ModuleRow | null
  watch: WatchController
  pid: number
  version: number
  onStartWatch(): void
}

export function ModuleFaults({ api, module, watch, pid, version, onStartWatch }: ModuleFaultsProps) {
  const palette = usePalette()
  const store = watch.pid === pid ? watch.store : null
  const refresh = Math.floor(version / TOP_PCS_EVERY)
  const top = useWindowSummary(api, store?.watchId ?? 0, null, store && module ? module.moduleName : undefined, refresh)
  if (!module)
    return (
      <aside className="module-faults" data-testid="module-faults">
        <EmptyState>Select a module to see the page faults its code raised.</EmptyState>
      </aside>
    )
  const header = (
    <header>
      <strong className="mono module-name">
        <Name>{module.moduleName}</Name>
      </strong>
      <p className="muted small mono">
        {module.baseAddress} · {fmtBytes(module.baseSize)}
      </p>
    </header>
  )
  if (!store)
    return (
      <aside className="module-faults" data-testid="module-faults">
        {header}
        <EmptyState testId="module-faults-empty" action={{ label: 'Start a watch', onClick: onStartWatch }}>
          No working-set watch of pid {pid} yet. Start one, make the process work, and the faults raised by code in {module.moduleName} show here.
        </EmptyState>
      </aside>
    )
  const id = store.moduleNames.indexOf(module.moduleName)
  const series = id < 0 ? [] : store.moduleSeries(id, store.nowMs - SPARK_MS, store.nowMs)
  const count = module.faults ?? 0
  return (
    <aside className="module-faults" data-testid="module-faults">
      {header}
      <p className="module-fault-count">
        <strong data-testid="module-fault-count">{fmtCount(count)}</strong> faults raised by its code
        <span className="muted"> · {store.total > 0 ? ((100 * count) / store.total).toFixed(1) : '0'}% of the process's</span>
      </p>
      <AreaChart width={300} height={56} data={series} margin={{ top: 2, right: 0, bottom: 2, left: 0 }} aria-label="Faults per bucket over the last minute">
        <YAxis hide domain={[0, 'dataMax']} />
        <Area dataKey="count" type="stepAfter" stroke={palette.series[0]} fill={palette.series[0]} fillOpacity={0.35} isAnimationActive={false} dot={false} />
      </AreaChart>
      {top.problem ? (
        <ErrorNotice what="Reading the module's records" problem={top.problem} />
      ) : (
        <CountBars
          title="Top faulting code in the module (recent records)"
          testId="module-top-pcs"
          total={top.result?.summary.total ?? 0}
          empty={top.result ? 'No faults raised by this module in the recent records.' : 'Reading…'}
          rows={(top.result?.summary.topPcs ?? []).slice(0, 10).map(pcRow)}
        />
      )}
    </aside>
  )
}
