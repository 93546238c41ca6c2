// The report as one self-contained HTML file: inline CSS, charts as inline SVG, no script, no request
// (its CSP forbids both), so it opens offline and prints to PDF as it looks. Long tables show their
// first rows; the CSV export has them all.

import { redactionText } from './build'
import { formatCell, isNumeric } from './cells'
import { fmtCount, fmtTime } from '../../../src-common/model/format/format'
import type { Card, Finding, ReportModel, Section, Table } from '../../../src-common/model/report/model'
import { chartSvg, escapeXml as esc } from '../../../src-common/model/report/svgChart'

export const MAX_HTML_ROWS = 100

const CSS = `
:root { --ink: #1d2127; --muted: #5b6472; --line: #dfe3e8; --soft: #f5f7fa; --accent: #2f6fde; --warn: #b42318; --warn-bg: #fdf0ee; --ok: #17794a; --ok-bg: #eaf6ef; --info-bg: #eef3fc; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); background: #fff; font: 13px/1.45 system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif; }
.masthead { background: #15223b; color: #fff; padding: 22px 36px 18px; }
.brand { font-size: 11px; letter-spacing: .14em; text-transform: uppercase; color: #9fb6e0; font-weight: 600; }
h1 { margin: 4px 0 2px; font-size: 24px; font-weight: 650; }
.subtitle { margin: 0 0 12px; color: #c9d5ea; word-break: break-all; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; font-size: 12px; }
.meta dt { color: #9fb6e0; } .meta dd { margin: 0; color: #fff; word-break: break-all; }
.badge { display: inline-block; margin-top: 10px; padding: 2px 8px; border-radius: 10px; background: #2b3b5c; color: #d6e2f7; font-size: 11px; }
nav.toc { padding: 10px 36px; border-bottom: 1px solid var(--line); background: var(--soft); font-size: 12px; }
nav.toc a { color: var(--accent); text-decoration: none; margin-right: 16px; }
main { padding: 8px 36px 24px; }
section { padding-top: 18px; }
h2 { font-size: 18px; margin: 8px 0 2px; }
h3 { font-size: 13px; margin: 18px 0 6px; color: var(--ink); }
.sub { color: var(--muted); margin: 0 0 10px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; min-width: 130px; background: #fff; break-inside: avoid; }
.card .label { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 19px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card .detail { color: var(--muted); font-size: 11px; }
.card.warn { border-color: #f1b8b0; background: var(--warn-bg); } .card.warn .value { color: var(--warn); }
.card.ok .value { color: var(--ok); }
ul.findings { list-style: none; padding: 0; margin: 8px 0 12px; }
ul.findings li { padding: 7px 12px; border-radius: 6px; margin-bottom: 6px; border-left: 4px solid; break-inside: avoid; }
li.warn { background: var(--warn-bg); border-color: var(--warn); } li.ok { background: var(--ok-bg); border-color: var(--ok); } li.info { background: var(--info-bg); border-color: var(--accent); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 14px; margin: 6px 0 8px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px 6px; break-inside: avoid; background: #fff; }
figcaption { font-weight: 600; font-size: 12.5px; margin-bottom: 4px; }
svg.chart { width: 100%; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; font-size: 12px; margin-bottom: 4px; }
thead { display: table-header-group; }
th { text-align: left; font-weight: 600; color: var(--muted); border-bottom: 1.5px solid var(--line); padding: 5px 8px; white-space: nowrap; }
td { border-bottom: 1px solid #eef0f3; padding: 4px 8px; vertical-align: top; }
tr { break-inside: avoid; }
tbody tr:nth-child(even) td { background: #fafbfc; }
tr.marked td { background: var(--warn-bg) !important; color: var(--warn); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.mono { font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 11px; word-break: break-all; }
.note, .empty { color: var(--muted); font-size: 12px; margin: 2px 0 8px; }
footer { color: var(--muted); font-size: 11px; padding: 12px 36px 24px; border-top: 1px solid var(--line); }
@page { size: A4; margin: 12mm 10mm; }
@media print {
  body { font-size: 11px; }
  .masthead { padding: 16px 20px; }
  nav.toc { display: none; }
  main { padding: 0 4px; }
  h2, h3, figcaption { break-after: avoid; }
  .charts { grid-template-columns: 1fr; }
  figure { padding: 6px 10px 4px; }
  footer { padding: 8px 4px; }
}
`

const card = (c: Card): string =>
  `<div class="card${c.tone ? ' ' + c.tone : ''}"><div class="label">${esc(c.label)}</div><div class="value">${esc(c.value)}</div>${c.detail ? `<div class="detail">${esc(c.detail)}</div>` : ''}</div>`

/** Text that may hold a name from the inspected machine, isolated: right-to-left letters in it stay inside. */
const iso = (s: string): string => `<bdi>${esc(s)}</bdi>`
const finding = (f: Finding): string => `<li class="${f.tone}">${iso(f.text)}</li>`

function table(t: Table): string {
  if (t.rows.length === 0) return `<h3>${esc(t.title)}</h3><p class="empty">None.</p>`
  const marked = new Set(t.marked)
  const head = t.columns.map((c) => `<th${isNumeric(c) ? ' class="num"' : ''}>${esc(c.label)}</th>`).join('')
  const body = t.rows
    .slice(0, MAX_HTML_ROWS)
    .map((row, i) => {
      const cells = t.columns.map((c) => {
        const cls = isNumeric(c) ? 'num' : c.kind === 'mono' ? 'mono' : ''
        const text = formatCell(row[c.key] ?? null, c, row)
        return `<td${cls ? ` class="${cls}"` : ''}>${isNumeric(c) ? esc(text) : iso(text)}</td>`
      })
      return `<tr${marked.has(i) ? ' class="marked"' : ''}>${cells.join('')}</tr>`
    })
    .join('')
  const more = t.rows.length > MAX_HTML_ROWS ? `<p class="note">The first ${MAX_HTML_ROWS} of ${fmtCount(t.rows.length)} rows; the CSV export has them all.</p>` : ''
  return `<h3>${esc(t.title)}</h3>${t.note ? `<p class="note">${esc(t.note)}</p>` : ''}<table data-table="${esc(t.id)}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${more}`
}

function section(s: Section): string {
  return [
    `<section id="${esc(s.id)}"><h2>${iso(s.title)}</h2>`,
    s.subtitle ? `<p class="sub">${iso(s.subtitle)}</p>` : '',
    s.cards?.length ? `<div class="cards">${s.cards.map(card).join('')}</div>` : '',
    s.findings?.length ? `<ul class="findings">${s.findings.map(finding).join('')}</ul>` : '',
    s.charts?.length
      ? `<div class="charts">${s.charts.map((c) => `<figure><figcaption>${esc(c.title)}</figcaption>${chartSvg(c)}</figure>`).join('')}</div>`
      : '',
    ...(s.tables ?? []).map(table),
    '</section>'
  ].join('')
}

export function renderHtml(model: ReportModel): string {
  const meta = model.meta.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${iso(v)}</dd>`).join('')
  const toc = model.sections.map((s) => `<a href="#${esc(s.id)}">${iso(s.title)}</a>`).join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${esc(model.generator)}">
<title>${esc(`${model.title} — ${model.subtitle}`)}</title>
<style>${CSS}</style></head>
<body>
<header class="masthead"><div class="brand">Snapscope</div><h1>${esc(model.title)}</h1><p class="subtitle">${iso(model.subtitle)}</p><dl class="meta">${meta}</dl>${
    model.redacted ? `<span class="badge" data-redaction>Redacted: ${esc(redactionText(model.redaction))} replaced</span>` : ''
  }</header>
<nav class="toc">${toc}</nav>
<main>${model.sections.map(section).join('\n')}</main>
<footer>Generated by ${esc(model.generator)} on ${esc(fmtTime(model.generatedAt))}. Sizes in binary units (1 KiB = 1,024 bytes); times in UTC.</footer>
</body></html>
`
}
