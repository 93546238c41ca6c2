// A fixed-row-height virtual list: only the rows in view plus `overscan` on each side are in the DOM,
// so 5,000 processes scroll like 50. An optional sticky header scrolls horizontally with the rows.
// Browsers cap an element's height (Chromium near 33.5 M px, Firefox near 17.9 M px), so beyond
// MAX_BODY_PX the scrollbar is scaled: it spans the whole list, and the rows in view are placed next
// to the scroll position (a million 22 px rows would need 22 M px).
import {
  useEffect,
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
import { flushSync } from 'react-dom'

export const MAX_BODY_PX = 8_000_000

export interface VirtualListHandle {
  /** Scrolls just enough to show row `index` (keyboard navigation, jump to a filter match). */
  scrollIntoView(index: number): void
  focus(): void
  /** rows that fit in the viewport (PageUp / PageDown step) */
  readonly rowsPerPage: number
}

interface VirtualListProps extends Omit<HTMLAttributes<HTMLDivElement>, 'children'> {
  count: number
  rowHeight: number
  overscan?: number
  header?: ReactNode
  headerHeight?: number
  renderRow(index: number, style: CSSProperties): ReactNode
  handle?: Ref<VirtualListHandle>
  /** told the rows in the DOM, [first, end), whenever they change (to fetch pages of a remote list) */
  onWindow?(first: number, end: number): void
}

/** Where the rows in view start, for a scroll position, in a list of `count` rows. */
export function layout(count: number, rowHeight: number, viewport: number, scrollTop: number) {
  const fullPx = count * rowHeight
  const bodyPx = Math.min(fullPx, MAX_BODY_PX)
  const maxScroll = Math.max(0, bodyPx - viewport)
  // A shrinking list (filtering) can leave scrollTop past the end until the browser clamps it.
  const scroll = Math.min(scrollTop, maxScroll)
  const virtualTop = bodyPx === fullPx || maxScroll === 0 ? scroll : (scroll / maxScroll) * (fullPx - viewport)
  return { bodyPx, virtualTop, scale: maxScroll === 0 ? 1 : (fullPx - viewport) / maxScroll, scroll }
}

export function VirtualList({
  count,
  rowHeight,
  overscan = 3,
  header,
  headerHeight = 0,
  renderRow,
  handle,
  onWindow,
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
  const { bodyPx, virtualTop, scale, scroll } = layout(count, rowHeight, rowsInView, scrollTop)
  useImperativeHandle(
    handle,
    () => ({
      scrollIntoView(index) {
        const el = ref.current!
        const top = index * rowHeight
        const current = layout(count, rowHeight, rowsInView, el.scrollTop).virtualTop
        let target = current
        if (top < current) target = top
        else if (top + rowHeight > current + rowsInView) target = top + rowHeight - rowsInView
        if (target !== current) el.scrollTop = target / scale
        // Browsers fire `scroll` asynchronously; render the new window now.
        setScrollTop(el.scrollTop)
      },
      focus: () => ref.current!.focus(),
      rowsPerPage: Math.max(1, Math.floor(rowsInView / rowHeight))
    }),
    [count, rowHeight, rowsInView, scale]
  )

  const first = Math.max(0, Math.floor(virtualTop / rowHeight) - overscan)
  const end = Math.min(count, Math.ceil((virtualTop + rowsInView) / rowHeight) + overscan)
  // The rows in view flow in one wrapper moved to where row `first` shows (on a scaled scrollbar, next
  // to the scroll position): scrolling moves that one box, and a row entering or leaving lays out
  // itself only. Rows placed one by one (absolute, each its own `top`) left the whole window to be
  // laid out again on every scroll step: most of a frame's layout while a core was busy.
  const offset = scroll - virtualTop + first * rowHeight
  // One style object for every row, so memoized rows see unchanged props as the window moves.
  const rowStyle = useMemo<CSSProperties>(() => ({ height: rowHeight }), [rowHeight])
  const rows: ReactNode[] = []
  for (let i = first; i < end; i++) rows.push(renderRow(i, rowStyle))

  useEffect(() => {
    onWindow?.(first, end)
  }, [onWindow, first, end])

  return (
    <div
      ref={ref}
      className={className ? `vlist ${className}` : 'vlist'}
      // Rendered at once, not in a later task: the rows for this scroll position paint in this frame
      // (otherwise a fast drag shows a frame of empty rows).
      onScroll={(e) => {
        const top = e.currentTarget.scrollTop
        flushSync(() => setScrollTop(top))
      }}
      {...rest}
    >
      <div className="vlist-content">
        {header}
        <div className="vlist-body" style={{ height: bodyPx }}>
          <div className="vlist-rows" style={{ transform: `translateY(${offset}px)` }}>
            {rows}
          </div>
        </div>
      </div>
    </div>
  )
}
