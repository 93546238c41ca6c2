// A top faulting pc as a CountBars row: its code by name (module+offset until the name is known),
// the source line and module beside it, the raw pc on hover.
import type { WatchSummary } from '../../../src-common/contract/contract'
import { besideText, codeText } from '../../../src-common/model/symbols/symbolText'
import type { CountRow } from '../common/CountBars'

export const pcRow = (p: WatchSummary['topPcs'][number]): CountRow => ({ key: p.pc, label: codeText(p), note: besideText(p) || undefined, detail: p.pc, count: p.count })
