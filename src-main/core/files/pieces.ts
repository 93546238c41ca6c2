// A parsed file sent between threads in pieces: a structured clone of a million-block heap walk takes
// seconds to receive, so each array longer than PIECE_ITEMS goes empty in a skeleton first, then in
// slices; the receiving thread handles one piece per turn of its event loop. Pure.

export const PIECE_ITEMS = 4_096

export type Piece =
  | { kind: 'skeleton'; value: unknown; paths: (string | number)[][] }
  | { kind: 'items'; id: number; items: unknown[] }
  | { kind: 'error'; message: string; badFile: boolean }

/** The skeleton, then the items of each long array by its index in the skeleton's `paths`. */
export function* inPieces(value: unknown): Generator<Piece> {
  const long: unknown[][] = []
  const paths: (string | number)[][] = []
  const strip = (v: unknown, path: (string | number)[]): unknown => {
    if (Array.isArray(v)) {
      if (v.length <= PIECE_ITEMS) return v.map((x, i) => strip(x, [...path, i]))
      long.push(v)
      paths.push(path)
      return []
    }
    if (v === null || typeof v !== 'object') return v
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strip(x, [...path, k])]))
  }
  yield { kind: 'skeleton', value: strip(value, []), paths }
  for (let id = 0; id < long.length; id++)
    for (let i = 0; i < long[id].length; i += PIECE_ITEMS) yield { kind: 'items', id, items: long[id].slice(i, i + PIECE_ITEMS) }
}

/** Puts the pieces back together: `take` each one as it comes, `value` once all have come. */
export class Assembly {
  private skeleton: unknown
  private arrays: unknown[][] = []

  take(piece: Exclude<Piece, { kind: 'error' }>): void {
    if (piece.kind === 'skeleton') {
      this.skeleton = piece.value
      this.arrays = piece.paths.map((path) => path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], piece.value) as unknown[])
    } else for (const item of piece.items) this.arrays[piece.id].push(item)
  }

  get value(): unknown {
    return this.skeleton
  }
}
