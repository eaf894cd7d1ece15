/** 代理事项 rows: materials, steps, time limits, fee and proxy mode. */
import type { Item, Material } from '../../../typings/domain'
import { chars, splitList, unique, RowReader, type DataRow, finish } from './cells'
import { type ItemColumn, ITEM_CATEGORIES, type RowError, type SheetResult } from './columns'
import {
  TIER_INPUT,
  FORM_INPUT,
  YES_NO_INPUT,
  CATEGORY_INPUT,
  PROXY_MODE_INPUT,
  CODE_RE,
  ITEM_CODE_MAX,
  MAX_DAYS,
  itemIdOf,
} from './formats'

export const MATERIAL_RE =
  /^(.+?)\s*[（(]\s*(原件或复印件|原件\/复印件|原件|复印件)\s*[）)]\s*(?:[×xX*＊]\s*(\d+)\s*[份张本件套]?)?\s*(?:[：:]\s*(.*))?$/
export const HAS_FORM_RE = /[（(]\s*(原件|复印件)/
export const MATERIAL_FORMAT = '应写成「名称（原件/复印件/原件或复印件）×份数：备注」'

export function readMaterials(r: RowReader<ItemColumn>): Material[] | undefined {
  const text = r.text('所需材料')
  const multiline = text.includes('\n')
  const materials: Material[] = []
  let valid = true
  const fail = (message: string): void => {
    valid = false
    r.fail('所需材料', message)
  }
  for (const [i, entry] of splitList(text, /[；;]/).entries()) {
    const m = MATERIAL_RE.exec(entry)
    const last = materials[materials.length - 1]
    if (!m && !multiline && last?.note !== undefined && !HAS_FORM_RE.test(entry)) {
      // "…：工资、务工等收入；无法提供的可书面申报" on one line: the part after "；" continues the note.
      last.note = `${last.note}；${entry}`
      continue
    }
    const name = (m?.[1] ?? '').trim()
    const form = FORM_INPUT[m?.[2] ?? '']
    const count = m?.[3] === undefined ? 1 : Number(m[3])
    const note = (m?.[4] ?? '').trim()
    if (!m || form === undefined || name === '') {
      fail(`第 ${i + 1} 项「${entry}」${MATERIAL_FORMAT}`)
    } else if (count < 1 || count > 99) {
      fail(`第 ${i + 1} 项「${name}」的份数应在 1 到 99 之间`)
    } else if (chars(name) > 50 || chars(note) > 200) {
      fail(`第 ${i + 1} 项「${name}」过长：名称最多 50 个字，备注最多 200 个字`)
    } else {
      materials.push(note === '' ? { name, form, count } : { name, form, count, note })
    }
  }
  return valid ? materials : undefined
}

/** "1." "2、" "（3）" "④" before a step are the sheet's numbering, not part of the step. */
export const STEP_NUMBER_RE = /^(?:\d{1,2}\s*[.、．)）]|[（(]\d{1,2}[）)]|[①-⑳])\s*/

export function readSteps(r: RowReader<ItemColumn>): string[] | undefined {
  const text = r.text('办理流程')
  const parts = text.includes('\n') || !/→|->/.test(text) ? splitList(text, /[；;]/) : text.split(/→|->/)
  const steps = parts.map((p) => p.trim().replace(STEP_NUMBER_RE, '').trim()).filter((p) => p !== '')
  const long = steps.findIndex((s) => chars(s) > 300)
  if (long >= 0) return r.fail('办理流程', `第 ${long + 1} 步不能超过 300 个字`)
  return steps
}

export function parseDays(text: string): number | undefined {
  if (text === '即办') return 0
  const m = /^(\d+)\s*(?:个)?(?:工作日|天)?$/.exec(text)
  if (!m) return undefined
  const n = Number(m[1])
  return n <= MAX_DAYS ? n : undefined
}

export function readItem(r: RowReader<ItemColumn>): Item | null {
  const code = r.code('编码', ITEM_CODE_MAX)
  const name = r.required('名称', 50)
  const category = r.choice('分类', CATEGORY_INPUT, `应为以下分类之一：${ITEM_CATEGORIES.join('、')}`)
  const tier = r.choice('办理层级', TIER_INPUT, '应为 区、乡镇 或 村（社区）')
  const materials = readMaterials(r)
  const steps = readSteps(r)
  const promisedText = r.text('承诺时限（工作日）')
  const promisedDays = parseDays(promisedText)
  if (promisedText === '') r.fail('承诺时限（工作日）', '不能为空（当场办结填 0 或“即办”）')
  else if (promisedDays === undefined)
    r.fail('承诺时限（工作日）', `应为 0 到 ${MAX_DAYS} 的整数（即办填 0）`)
  const legalText = r.text('法定时限（工作日）')
  const legalDays = legalText === '' ? undefined : parseDays(legalText)
  if (legalText !== '' && legalDays === undefined) {
    r.fail('法定时限（工作日）', `应为 0 到 ${MAX_DAYS} 的整数，或不填`)
  } else if (legalDays !== undefined && promisedDays !== undefined && legalDays < promisedDays) {
    r.fail('法定时限（工作日）', `不能短于承诺时限（${promisedDays} 个工作日）`)
  }
  const fee = r.optional('收费', 100)
  const proxyMode = r.choice('代理方式', PROXY_MODE_INPUT, '应为 直接代理、承诺代理 或 联合代理')
  const departmentsText = r.text('责任部门')
  const departments = unique(splitList(departmentsText, /[、，,；;]/))
  if (departments.length === 0) r.fail('责任部门', '不能为空')
  else if (departments.some((d) => chars(d) > 50)) r.fail('责任部门', '每个部门名称不能超过 50 个字')
  const homeVisit = r.choice('可上门', YES_NO_INPUT, '应为 是 或 否（不填即否）', false)
  const published = r.choice('公开', YES_NO_INPUT, '应为 是 或 否')
  const active = r.status('状态')
  const description = r.optional('说明', 1000)
  // 俗称: what residents call the item (低保); searched like its name.
  const keywordsText = r.optional('俗称', 200)
  const keywords = unique(splitList(keywordsText ?? '', /[、，,；;\n]/))
  if (published === true && materials?.length === 0) {
    r.fail('所需材料', '公开的事项至少要列出一项材料')
  }
  if (published === true && steps?.length === 0) {
    r.fail('办理流程', '公开的事项至少要有一个办理步骤')
  }
  if (
    !r.ok ||
    code === undefined ||
    name === undefined ||
    category === undefined ||
    tier === undefined ||
    materials === undefined ||
    steps === undefined ||
    promisedDays === undefined ||
    fee === undefined ||
    proxyMode === undefined ||
    homeVisit === undefined ||
    published === undefined ||
    active === undefined ||
    description === undefined
  ) {
    return null
  }
  const item: Item = {
    _id: itemIdOf(code),
    code,
    name,
    category,
    tier,
    materials,
    steps,
    promisedDays,
    fee: fee === '' ? '无偿' : fee,
    proxyMode,
    departments,
    homeVisit,
    published,
    active,
  }
  if (legalDays !== undefined) item.legalDays = legalDays
  if (description !== '') item.description = description
  if (keywords.length) item.keywords = keywords
  return item
}

export function validateItems(rows: DataRow[]): SheetResult<Item> {
  const errors: RowError[] = []
  const records: Item[] = []
  const seen = new Map<string, number>()
  for (const d of rows) {
    const item = readItem(new RowReader<ItemColumn>(d.row, d.cells, errors))
    if (item) records.push(item)
    const code = d.cells.get('编码') ?? ''
    if (code === '' || !CODE_RE.test(code)) continue
    const first = seen.get(code)
    if (first !== undefined) {
      errors.push({ row: d.row, column: '编码', message: `编码「${code}」与第 ${first} 行重复` })
    } else {
      seen.set(code, d.row)
    }
  }
  return finish('items', records, errors)
}
