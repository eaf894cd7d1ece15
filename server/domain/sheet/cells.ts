/** Reading a sheet: headers, cells, lists, the row reader that collects errors, and the row limit. */
import {
  type ImportKind,
  MAX_IMPORT_ROWS,
  HEADERS,
  OPTIONAL_COLUMNS,
  type RowError,
  type SheetResult,
} from './columns'
import { STATUS_INPUT, CODE_RE } from './formats'

export function normalizeHeader(text: string): string {
  return text.replace(/\s+/g, '').replace(/\(/g, '（').replace(/\)/g, '）')
}

export function cellText(value: string | undefined | null): string {
  return String(value ?? '')
    .replace(/\r\n?/g, '\n')
    .trim()
}

export function chars(text: string): number {
  return [...text].length
}

/** Splits a multi-value cell: by line when it has several lines, else by the given separators. */
export function splitList(text: string, separators: RegExp): string[] {
  const parts = text.includes('\n') ? text.split('\n') : text.split(separators)
  return parts.map((p) => p.trim()).filter((p) => p !== '')
}

export function unique(values: string[]): string[] {
  return [...new Set(values)]
}

export class RowReader<C extends string> {
  private readonly before: number

  constructor(
    readonly row: number,
    private readonly cells: ReadonlyMap<string, string>,
    private readonly errors: RowError[],
  ) {
    this.before = errors.length
  }

  /** Whether the row has produced no error so far. */
  get ok(): boolean {
    return this.errors.length === this.before
  }

  text(column: C): string {
    return this.cells.get(column) ?? ''
  }

  fail(column: C | '', message: string): undefined {
    this.errors.push({ row: this.row, column, message })
    return undefined
  }

  required(column: C, max: number): string | undefined {
    const value = this.text(column)
    if (value === '') return this.fail(column, '不能为空')
    if (chars(value) > max) return this.fail(column, `不能超过 ${max} 个字`)
    return value
  }

  /** '' when empty; undefined after an error. */
  optional(column: C, max: number): string | undefined {
    const value = this.text(column)
    if (chars(value) > max) return this.fail(column, `不能超过 ${max} 个字`)
    return value
  }

  choice<T>(column: C, options: Record<string, T>, message: string, fallback?: T): T | undefined {
    const value = normalizeHeader(this.text(column))
    if (value === '') return fallback === undefined ? this.fail(column, '不能为空') : fallback
    if (Object.hasOwn(options, value)) return options[value]
    return this.fail(column, message)
  }

  code(column: C, max: number): string | undefined {
    const value = this.text(column)
    if (value === '') return this.fail(column, '不能为空')
    if (!CODE_RE.test(value) || value.length > max) {
      return this.fail(column, `只能由字母、数字、“-”和“_”组成，最长 ${max} 位`)
    }
    return value
  }

  status(column: C): boolean | undefined {
    return this.choice(column, STATUS_INPUT, '应为 在用 或 停用（不填即在用）', true)
  }
}

export interface DataRow {
  row: number
  cells: Map<string, string>
}

export type Parsed = { ok: true; rows: DataRow[] } | { ok: false; errors: RowError[] }

/** Header check, empty-row skipping and the row limit, common to every kind. */
export function readRows(kind: ImportKind, rows: readonly (readonly string[])[]): Parsed {
  const headers = HEADERS[kind]
  const header = rows[0] ?? []
  const errors: RowError[] = []
  const index = new Map<string, number>()
  header.forEach((raw, i) => {
    const name = normalizeHeader(cellText(raw))
    if (name === '') return
    if (!headers.includes(name)) {
      errors.push({
        row: 1,
        column: cellText(raw),
        message: `无法识别的列，本表的列为：${headers.join('、')}`,
      })
    } else if (index.has(name)) {
      errors.push({ row: 1, column: name, message: '列名重复' })
    } else {
      index.set(name, i)
    }
  })
  if (index.size === 0 && errors.length === 0) {
    return { ok: false, errors: [{ row: 1, column: '', message: `第 1 行应为表头：${headers.join('、')}` }] }
  }
  for (const name of headers) {
    if (!index.has(name) && !OPTIONAL_COLUMNS[kind].includes(name)) {
      errors.push({ row: 1, column: name, message: '缺少此列' })
    }
  }
  if (errors.length > 0) return { ok: false, errors }

  const data: DataRow[] = []
  rows.forEach((cellsOfRow, i) => {
    if (i === 0) return
    const cells = new Map<string, string>()
    for (const [name, col] of index) cells.set(name, cellText(cellsOfRow[col]))
    if ([...cells.values()].every((v) => v === '')) return
    data.push({ row: i + 1, cells })
  })
  if (data.length === 0) {
    return { ok: false, errors: [{ row: 2, column: '', message: '表中没有数据行' }] }
  }
  if (data.length > MAX_IMPORT_ROWS) {
    const first = data[MAX_IMPORT_ROWS]
    return {
      ok: false,
      errors: [
        {
          row: first ? first.row : 1,
          column: '',
          message: `共 ${data.length} 行数据，每次最多导入 ${MAX_IMPORT_ROWS} 行，请分批导入`,
        },
      ],
    }
  }
  return { ok: true, rows: data }
}

export function finish<T>(kind: ImportKind, records: T[], errors: RowError[]): SheetResult<T> {
  if (errors.length === 0) return { ok: true, records }
  const order = HEADERS[kind]
  const sorted = [...errors].sort(
    (a, b) => a.row - b.row || order.indexOf(a.column) - order.indexOf(b.column),
  )
  return { ok: false, errors: sorted }
}
