import '../test/layout'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_BODY_PX, VirtualList, layout } from './VirtualList'

afterEach(cleanup)

describe('VirtualList beyond the browser height limit', () => {
  const ROW = 22
  const N = 2_000_000

  it('scales the scrollbar over the whole count', () => {
    expect(layout(100, ROW, 440, 0)).toMatchObject({ bodyPx: 2200, virtualTop: 0, scale: 1 })
    const top = layout(N, ROW, 440, MAX_BODY_PX - 440)
    expect(top.bodyPx).toBe(MAX_BODY_PX)
    expect(top.virtualTop).toBe(N * ROW - 440) // the end of the scrollbar is the last row
  })

  it('renders the rows at the scroll position, and only those', () => {
    const windows: [number, number][] = []
    render(
      <VirtualList
        data-testid="list"
        count={N}
        rowHeight={ROW}
        onWindow={(first, end) => windows.push([first, end])}
        renderRow={(i, style) => (
          <div key={i} data-testid="row" data-i={i} style={style} />
        )}
      />
    )
    const list = screen.getByTestId('list')
    expect(list.querySelector<HTMLElement>('.vlist-body')!.style.height).toBe(`${MAX_BODY_PX}px`)
    list.scrollTop = (MAX_BODY_PX - window.innerHeight) / 2
    fireEvent.scroll(list)
    const shown = screen.getAllByTestId('row').map((r) => Number(r.dataset.i))
    expect(shown.length).toBeLessThan(80)
    expect(Math.min(...shown)).toBeGreaterThan(N / 2 - 100)
    expect(Math.max(...shown)).toBeLessThan(N / 2 + 100)
    expect(windows.at(-1)).toEqual([Math.min(...shown), Math.max(...shown) + 1])
  })
})
