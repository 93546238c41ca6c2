// Sorting a table's rows by one of its columns' sort values: numbers as numbers, text as people
// read it (natural order, case-insensitive).
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

export function sortRows<R>(rows: readonly R[], columns: readonly { id: string; sortValue(row: R): number | string }[], column: string, dir: 'asc' | 'desc'): R[] {
  const c = columns.find((col) => col.id === column) ?? columns[0]
  const sign = dir === 'asc' ? 1 : -1
  return [...rows].sort((a, b) => {
    const ka = c.sortValue(a)
    const kb = c.sortValue(b)
    return sign * (typeof ka === 'number' && typeof kb === 'number' ? ka - kb : collator.compare(String(ka), String(kb)))
  })
}
