// What Snapscope writes stays within what it reads: every file is checked against the loader's limits
// before it is written (captures keep within them: cmdline.ts, the timeline's thinning), so a bug or a
// hostile process makes a clear error at capture time rather than a file its own loader refuses.
import { ContractError } from '../../../src-common/contract/validate'
import { DEFAULT_LIMITS, type LoadLimits } from './loader'
import { JsonScan } from './jsonScan'
import { fmtBytes } from '../../../src-common/model/format/format'
import { fileSchema } from './schema'
import type { SnapscopeFile } from '../../../src-common/contract/fileTypes'

export class UnreadableFileError extends Error {
  readonly code = 'EFBIG'
}

/** Checks a file as it is written: its structure against the schema up front, then (`feed`) the JSON
 *  text and (`end`) the compressed size against the loader's limits. Throws UnreadableFileError. */
export class WriteCheck {
  private readonly scan: JsonScan
  private readonly encoder = new TextEncoder()

  constructor(
    file: SnapscopeFile,
    private readonly limits: LoadLimits = DEFAULT_LIMITS
  ) {
    try {
      fileSchema(file, '')
    } catch (err) {
      if (err instanceof ContractError) this.refuse(err.message)
      throw err
    }
    this.scan = new JsonScan(limits)
  }

  feed(json: string): void {
    const problem = this.scan.feed(this.encoder.encode(json))
    if (problem) this.refuse(problem)
    if (this.scan.bytes > this.limits.maxJsonBytes) this.refuse(`more than ${fmtBytes(this.limits.maxJsonBytes)} of JSON`)
  }

  end(compressedBytes: number): void {
    if (compressedBytes > this.limits.maxFileBytes) this.refuse(`more than ${fmtBytes(this.limits.maxFileBytes)} compressed`)
  }

  private refuse(problem: string): never {
    throw new UnreadableFileError(`not written: Snapscope could not open it again (${problem})`)
  }
}
