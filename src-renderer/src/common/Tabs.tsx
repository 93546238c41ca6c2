// A tab strip (WAI-ARIA tabs): ←/→, Home/End move between tabs and show them.
import { useRef, type KeyboardEvent } from 'react'

export interface TabSpec<T extends string> {
  id: T
  label: string
}

interface TabsProps<T extends string> {
  tabs: readonly TabSpec<T>[]
  active: T
  onChange(id: T): void
  label: string
}

export const tabId = (id: string) => `tab-${id}`
export const panelId = (id: string) => `panel-${id}`

export function Tabs<T extends string>({ tabs, active, onChange, label }: TabsProps<T>) {
  const strip = useRef<HTMLDivElement>(null)
  const go = (index: number) => {
    const tab = tabs[(index + tabs.length) % tabs.length]
    onChange(tab.id)
    strip.current?.querySelector<HTMLElement>(`#${tabId(tab.id)}`)?.focus()
  }
  const onKeyDown = (e: KeyboardEvent) => {
    const at = tabs.findIndex((t) => t.id === active)
    const moves: Record<string, number> = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }
    if (!(e.key in moves)) return
    e.preventDefault()
    go(moves[e.key])
  }
  return (
    <div className="tabs" role="tablist" aria-label={label} ref={strip} onKeyDown={onKeyDown}>
      {tabs.map((tab) => (
        <button
          key={tab.id}
          type="button"
          role="tab"
          id={tabId(tab.id)}
          aria-controls={panelId(tab.id)}
          aria-selected={tab.id === active}
          tabIndex={tab.id === active ? 0 : -1}
          data-testid={`tab-${tab.id}`}
          onClick={() => onChange(tab.id)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  )
}
