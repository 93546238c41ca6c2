// Chart colours per theme. Charts take colours as SVG attributes, where CSS variables are not
// dependable, so the palette lives here and follows the resolved theme.
import type { RegionCode } from '../../../src-common/contract/contract'

export type Theme = 'light' | 'dark'

export interface Palette {
  /** one per charted module, in order of fault count */
  series: readonly string[]
  other: string
  region: Record<RegionCode, string>
  used: string
  free: string
  grid: string
  axis: string
  selection: string
  lost: string
}

const light: Palette = {
  series: ['#2f6fde', '#e07b2c', '#1f9d8a', '#8e5cc4', '#c9a227', '#d64f7e', '#5b7083', '#7aa33d'],
  other: '#a3abb7',
  region: { image: '#2f6fde', heap: '#e07b2c', stack: '#1f9d8a', anon: '#8e5cc4', other: '#7f8c8d', unknown: '#a3abb7' },
  used: '#2f6fde',
  free: '#8fd19e',
  grid: '#e6e9ee',
  axis: '#6a7380',
  selection: '#2f6fde',
  lost: '#cf3030'
}

const dark: Palette = {
  series: ['#6ea0ff', '#f29c5a', '#3cc7b1', '#b08ae6', '#e3c15a', '#ef7aa3', '#8ea3b8', '#9fcf64'],
  other: '#6d7583',
  region: { image: '#6ea0ff', heap: '#f29c5a', stack: '#3cc7b1', anon: '#b08ae6', other: '#98a2ad', unknown: '#6d7583' },
  used: '#6ea0ff',
  free: '#4c9a62',
  grid: '#2c3139',
  axis: '#959dab',
  selection: '#6ea0ff',
  lost: '#f06b6b'
}

export const PALETTES: Record<Theme, Palette> = { light, dark }
