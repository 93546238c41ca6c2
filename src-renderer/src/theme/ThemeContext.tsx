// The theme the user chose (light, dark, or the system's), applied to the document and handed to charts.
import { createContext, useContext, useLayoutEffect, useState, useSyncExternalStore, type ReactNode } from 'react'
import { PALETTES, type Palette, type Theme } from './palette'

export type ThemeChoice = 'system' | Theme
const STORAGE_KEY = 'snapscope.theme'
const DARK_QUERY = '(prefers-color-scheme: dark)'

// jsdom (and very old engines) have no matchMedia: the system theme is then light.
const media = () => (typeof window.matchMedia === 'function' ? window.matchMedia(DARK_QUERY) : null)

function useSystemTheme(): Theme {
  return useSyncExternalStore(
    (onChange) => {
      const m = media()
      m?.addEventListener('change', onChange)
      return () => m?.removeEventListener('change', onChange)
    },
    () => (media()?.matches ? 'dark' : 'light')
  )
}

function storedChoice(): ThemeChoice {
  try {
    const v = localStorage.getItem(STORAGE_KEY)
    return v === 'light' || v === 'dark' ? v : 'system'
  } catch {
    return 'system'
  }
}

interface ThemeState {
  choice: ThemeChoice
  theme: Theme
  setChoice(choice: ThemeChoice): void
}

const ThemeContext = createContext<ThemeState>({ choice: 'system', theme: 'light', setChoice: () => {} })

export function ThemeProvider({ children }: { children: ReactNode }) {
  const [choice, setChoice] = useState<ThemeChoice>(storedChoice)
  const system = useSystemTheme()
  const theme = choice === 'system' ? system : choice
  // Before the first paint, so a dark page never flashes light.
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = theme
    try {
      localStorage.setItem(STORAGE_KEY, choice)
    } catch {
      // storage may be off (private windows): the choice then lasts for this page only
    }
  }, [theme, choice])
  return <ThemeContext.Provider value={{ choice, theme, setChoice }}>{children}</ThemeContext.Provider>
}

export const useTheme = () => useContext(ThemeContext)
export const usePalette = (): Palette => PALETTES[useTheme().theme]
