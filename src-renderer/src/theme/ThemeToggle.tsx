// System → light → dark, one click (or Enter) at a time; the label says what is in force.
import { useTheme, type ThemeChoice } from './ThemeContext'

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' }
const LABEL: Record<ThemeChoice, string> = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' }

export function ThemeToggle() {
  const { choice, setChoice } = useTheme()
  return (
    <button type="button" className="link-button" data-testid="theme-toggle" data-choice={choice} title="Switch between the system, light and dark themes" onClick={() => setChoice(NEXT[choice])}>
      {LABEL[choice]}
    </button>
  )
}
