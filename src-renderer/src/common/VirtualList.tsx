// A fixed-row-height virtual list: only the rows in view plus `overscan` on each side are in the DOM,
// so 5,000 processes scroll like 50. An optional sticky header scrolls horizontally with the rows.
import {
  useImperativeHandle,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type CSSProperties,
  type HTMLAttributes,
  type ReactNode,
  type Ref
} from 'react'

export interface VirtualListHandle {
  /** Scrolls just enough to show row `index` (keyboard navigation, jump to a filter match). */
  scrollIntoView(index: number): void
  focus(): void
}

interface VirtualListProps extends Omit<HTMLAttributes<HTMLDivElement>, 'children'> {
  count: number
  rowHeight: number
  overscan?: number
  header?: ReactNode
  headerHeight?: number
  renderRow(index: number, style: CSSProperties): ReactNode
  handle?: Ref<VirtualListHandle>
}

export function VirtualList({
  count,
  rowHeight,
  overscan = 8,
  header,
  headerHeight = 0,
  renderRow,
  handle,
  className,
  ...rest
}: VirtualListProps) {
  const ref = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  // Before the first layout (and where there is no layout, e.g. jsdom) assume a window-tall viewport.
  const [viewport, setViewport] = useState(() => window.innerHeight)

  useLayoutEffect(() => {
    const el = ref.current!
    const measure = () => {
      if (el.clientHeight > 0) setViewport(el.clientHeight)
    }
    measure()
    const observer = new ResizeObserver(measure)
    observer.observe(el)
    return () => observer.disconnect()
  }, [])

  const rowsInView = Math.max(0, viewport - headerHeight)
  useImperativeHandle(
    handle,
    () => ({
      scrollIntoView(index) {
        const el = ref.current!
        const top = index * rowHeight
        if (top < el.scrollTop) el.scrollTop = top
        else if (top + rowHeight > el.scrollTop + rowsInView) el.scrollTop = top + rowHeight - rowsInView
        // Browsers fire `scroll` asynchronously; render the new window now.
        setScrollTop(el.scrollTop)
      },
      focus: () => ref.current!.focus()
    }),
    [rowHeight, rowsInView]
  )

  // A shrinking list (filtering) can leave scrollTop past the end until the browser clamps it.
  const maxScroll = Math.max(0, count * rowHeight - rowsInView)
  const top = Math.min(scrollTop, maxScroll)
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan)
  const end = Math.min(count, Math.ceil((top + rowsInView) / rowHeight) + overscan)
  // One style object per index, so memoized rows see unchanged props when the window moves.
  const styles = useMemo(() => new Map<number, CSSProperties>(), [rowHeight])
  const rows: ReactNode[] = []
  for (let i = first; i < end; i++) {
    let style = styles.get(i)
    if (!style) styles.set(i, (style = { position: 'absolute', top: i * rowHeight, height: rowHeight }))
    rows.push(renderRow(i, style))
  }

  return (
    <div
      ref={ref}
      className={className ? `vlist ${className}` : 'vlist'}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      {...rest}
    >
      <div className="vlist-content">
        {header}
        <div className="vlist-body" style={{ height: count * rowHeight }}>
          {rows}
        </div>
      </div>
    </div>
  )
}
