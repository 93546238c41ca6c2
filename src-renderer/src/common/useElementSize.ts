// The size of an element, kept current by a ResizeObserver: charts need pixel sizes to draw.
import { useLayoutEffect, useRef, useState } from 'react'

/** Where there is no layout (jsdom) the fallback size is used, so charts still render in tests. */
export function useElementSize<T extends HTMLElement>(fallback = { width: 640, height: 200 }) {
  const ref = useRef<T>(null)
  const [size, setSize] = useState(fallback)
  useLayoutEffect(() => {
    const el = ref.current!
    const measure = () => {
      const { width, height } = el.getBoundingClientRect()
      if (width > 0 && height > 0) setSize((s) => (s.width === Math.floor(width) && s.height === Math.floor(height) ? s : { width: Math.floor(width), height: Math.floor(height) }))
    }
    measure()
    const observer = new ResizeObserver(measure)
    observer.observe(el)
    return () => observer.disconnect()
  }, [])
  return [ref, size] as const
}
