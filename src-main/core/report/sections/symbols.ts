// The names of code addresses (snapscope.symbols/1) in a report: one row per address asked.
import type { SymbolsDoc } from '../../../../src-common/contract/symbolTypes'
import { fmtCount, fmtTime } from '../../../../src-common/model/format/format'
import { columns, type Section } from '../../../../src-common/model/report/model'
import { codeText, fileLineText } from '../../../../src-common/model/symbols/symbolText'

export function symbolsSection(doc: SymbolsDoc, id: string): Section {
  const named = doc.symbols.filter((s) => s.function !== null).length
  return {
    id,
    title: `Code addresses of pid ${doc.pid}`,
    subtitle: `named ${fmtTime(doc.takenAt)}`,
    cards: [
      { label: 'Addresses', value: fmtCount(doc.symbols.length) },
      { label: 'Functions named', value: fmtCount(named), tone: named < doc.symbols.length ? 'warn' : 'ok' }
    ],
    tables: [
      {
        id: `${id}-symbols`,
        title: 'Addresses',
        columns: columns(['address', 'Address', 'mono'], ['code', 'Code', 'mono'], ['source', 'Source', 'mono'], ['module', 'Module', 'text'], ['from', 'Named by', 'text'], ['exact', 'Exact', 'flag']),
        rows: doc.symbols.map((s) => ({ address: s.address, code: codeText(s), source: fileLineText(s), module: s.module, from: s.source, exact: s.exact }))
      }
    ]
  }
}
