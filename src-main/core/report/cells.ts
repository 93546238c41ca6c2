// A table cell as people read it (HTML and text reports); CSV and JSON keep the raw value.
import { formatDuration } from '../../../src-common/model/capture/duration'
import { fmtBytes, fmtCount, fmtPercent, fmtSigned, fmtTime } from '../../../src-common/model/format/format'
import type { Quantity } from '../../../src-common/contract/diffTypes'
import type { Cell, Column } from '../../../src-common/model/report/model'

export function formatCell(value: Cell, column: Column, row: Record<string, Cell>): string {
  if (value === null || value === undefined || value === '') return '—'
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  if (typeof value === 'string') return column.kind === 'time' ? fmtTime(value) : value
  const unit: Quantity = row.unit === 'bytes' ? 'bytes' : 'count'
  switch (column.kind) {
    case 'bytes':
      return fmtBytes(value)
    case 'signedCount':
      return fmtSigned(value, 'count')
    case 'signedBytes':
      return fmtSigned(value, 'bytes')
    case 'quantity':
      return unit === 'bytes' ? fmtBytes(value) : fmtCount(value)
    case 'signedQuantity':
      return fmtSigned(value, unit)
    case 'percent':
      return fmtPercent(value)
    case 'duration':
      return formatDuration(value)
    case 'count':
      return fmtCount(value)
    default:
      return String(value)
  }
}

/** Numbers and changes line up on the right. */
export const isNumeric = (column: Column): boolean => !['text', 'mono', 'time', 'flag'].includes(column.kind)
