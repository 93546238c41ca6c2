// Filters of the block table (size range, used / free) and a jump to an address.
import { useEffect, useState, type FormEvent } from 'react'
import type { BlockFlag, HeapBlockFilter } from '../../../src-common/contract/contract'
import { parseSize } from './sizes'

const FLAG_CHOICES: { label: string; flags: BlockFlag[] | undefined }[] = [
  { label: 'All', flags: undefined },
  { label: 'Used', flags: ['fixed', 'moveable'] },
  { label: 'Free', flags: ['free'] }
]

interface BlockFiltersProps {
  filter: HeapBlockFilter
  onFilter(filter: HeapBlockFilter): void
  onGoTo(address: string): void
}

const sizeText = (n: number | undefined) => (n === undefined ? '' : String(n))

export function BlockFilters({ filter, onFilter, onGoTo }: BlockFiltersProps) {
  const [min, setMin] = useState(sizeText(filter.minSize))
  const [max, setMax] = useState(sizeText(filter.maxSize))
  const [address, setAddress] = useState('')
  // A pick in the histogram sets the range from outside: show it in the boxes.
  useEffect(() => {
    setMin(sizeText(filter.minSize))
    setMax(sizeText(filter.maxSize))
  }, [filter.minSize, filter.maxSize])

  const minSize = parseSize(min)
  const maxSize = parseSize(max)
  const badSize = Number.isNaN(minSize) || Number.isNaN(maxSize)
  const addressOk = /^(0x)?[0-9a-f]{1,16}$/i.test(address.trim())
  const applySizes = (e: FormEvent) => {
    e.preventDefault()
    if (!badSize) onFilter({ ...filter, minSize, maxSize })
  }
  const goTo = (e: FormEvent) => {
    e.preventDefault()
    const a = address.trim().toLowerCase()
    if (addressOk) onGoTo(a.startsWith('0x') ? a : `0x${a}`)
  }
  const flagsKey = (flags: BlockFlag[] | undefined) => (flags ?? []).join()
  return (
    <div className="toolbar block-filters">
      <form onSubmit={applySizes} className="field-inline" aria-label="Size filter">
        Size
        <input className="size-input" placeholder="min" aria-label="Minimum block size" data-testid="filter-min" value={min} onChange={(e) => setMin(e.target.value)} aria-invalid={Number.isNaN(minSize)} />
        –
        <input className="size-input" placeholder="max" aria-label="Maximum block size" data-testid="filter-max" value={max} onChange={(e) => setMax(e.target.value)} aria-invalid={Number.isNaN(maxSize)} />
        <button type="submit" data-testid="filter-apply" disabled={badSize}>
          Apply
        </button>
      </form>
      {badSize && <span className="warn small">Sizes are bytes: 24, 4k, 1.5 MiB</span>}
      <span className="segmented" role="group" aria-label="Block state">
        {FLAG_CHOICES.map((c) => (
          <button key={c.label} type="button" data-testid={`filter-${c.label.toLowerCase()}`} aria-pressed={flagsKey(filter.flags) === flagsKey(c.flags)} onClick={() => onFilter({ ...filter, flags: c.flags })}>
            {c.label}
          </button>
        ))}
      </span>
      {(filter.minSize !== undefined || filter.maxSize !== undefined || filter.flags) && (
        <button type="button" className="link-button" data-testid="filter-clear" onClick={() => onFilter({})}>
          Clear filters
        </button>
      )}
      <span className="spacer" />
      <form onSubmit={goTo} className="field-inline" aria-label="Go to address">
        <input className="address-input mono" placeholder="0x… address" aria-label="Address to show" data-testid="goto-address" value={address} onChange={(e) => setAddress(e.target.value)} />
        <button type="submit" data-testid="goto-submit" disabled={!addressOk}>
          Go to
        </button>
      </form>
    </div>
  )
}
