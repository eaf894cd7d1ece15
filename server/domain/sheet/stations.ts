/** 服务站 rows: fields, location, and the tier rules across the sheet (parents before children). */
import { TIER_LABELS } from '../../../typings/vocabulary'
import type { GeoPoint, Station, Tier } from '../../../typings/domain'
import { RowReader, type DataRow, finish } from './cells'
import type { StationColumn, RowError, ImportContext, SheetResult } from './columns'
import {
  TIER_INPUT,
  CODE_RE,
  STATION_CODE_MAX,
  AGENT_ID_RE,
  PHONE_RE,
  NUMBER_RE,
  LATITUDE_RANGE,
  LONGITUDE_RANGE,
  stationIdOf,
} from './formats'

export function readCoordinate(r: RowReader<StationColumn>, column: '纬度' | '经度'): number | undefined {
  const value = r.text(column)
  if (value === '') return r.fail(column, '不能为空')
  if (!NUMBER_RE.test(value)) return r.fail(column, '应为数字（度，如 26.598512）')
  return Number(value)
}

export function within(value: number, [min, max]: readonly [number, number]): boolean {
  return value >= min && value <= max
}

export function readLocation(r: RowReader<StationColumn>): GeoPoint | undefined {
  const latitude = readCoordinate(r, '纬度')
  const longitude = readCoordinate(r, '经度')
  if (latitude === undefined || longitude === undefined) return undefined
  const latOk = within(latitude, LATITUDE_RANGE)
  const lngOk = within(longitude, LONGITUDE_RANGE)
  if (!latOk && !lngOk && within(latitude, LONGITUDE_RANGE) && within(longitude, LATITUDE_RANGE)) {
    return r.fail('纬度', '纬度和经度似乎填反了（纬度约 3～54，经度约 73～136）')
  }
  if (!latOk) r.fail('纬度', `应在 ${LATITUDE_RANGE[0]} 到 ${LATITUDE_RANGE[1]} 之间（中国境内）`)
  if (!lngOk) r.fail('经度', `应在 ${LONGITUDE_RANGE[0]} 到 ${LONGITUDE_RANGE[1]} 之间（中国境内）`)
  return latOk && lngOk ? { latitude, longitude } : undefined
}

export interface StationDraft {
  row: number
  code?: string
  tier?: Tier
  parentCode: string
  record: Station | null
}

export function readStation(r: RowReader<StationColumn>, ctx: ImportContext): StationDraft {
  const code = r.code('编码', STATION_CODE_MAX)
  const name = r.required('名称', 50)
  const tier = r.choice('层级', TIER_INPUT, '应为 区、乡镇 或 村（社区）')
  const parentCode = r.text('上级编码')
  if (tier === 'district' && parentCode !== '') {
    r.fail('上级编码', '区为民服务中心不填上级编码')
  } else if (tier !== undefined && tier !== 'district' && parentCode === '') {
    r.fail('上级编码', '乡镇、村（社区）须填写上级编码')
  } else if (parentCode !== '' && !CODE_RE.test(parentCode)) {
    r.fail('上级编码', '只能由字母、数字、“-”和“_”组成')
  }
  const address = r.required('地址', 100)
  const location = readLocation(r)
  const hotline = r.required('服务热线', 20)
  if (hotline !== undefined && !PHONE_RE.test(hotline)) {
    r.fail('服务热线', '应为“区号-号码”的固定电话或 11 位手机号')
  }
  const hours = r.required('办公时间', 100)
  const head = r.text('负责人编号')
  if (head !== '' && !AGENT_ID_RE.test(head)) {
    r.fail('负责人编号', '只能由字母、数字、“-”和“_”组成')
  } else if (head !== '' && ctx.knownAgentIds && !ctx.knownAgentIds.has(head)) {
    r.fail('负责人编号', `花名册中没有编号为「${head}」的人员`)
  }
  const active = r.status('状态')
  const draft: StationDraft = { row: r.row, code, tier, parentCode, record: null }
  if (
    !r.ok ||
    code === undefined ||
    name === undefined ||
    tier === undefined ||
    address === undefined ||
    location === undefined ||
    hotline === undefined ||
    hours === undefined ||
    active === undefined
  ) {
    return draft
  }
  draft.record = {
    _id: stationIdOf(code),
    code,
    name,
    tier,
    parentId: parentCode === '' ? null : stationIdOf(parentCode),
    address,
    location,
    hotline,
    hours,
    headAgentId: head === '' ? null : head,
    active,
  }
  return draft
}

export const PARENT_TIER: Record<Tier, Tier | null> = {
  district: null,
  township: 'district',
  village: 'township',
}

export function validateStations(rows: DataRow[], ctx: ImportContext): SheetResult<Station> {
  const errors: RowError[] = []
  const drafts = rows.map((d) => readStation(new RowReader<StationColumn>(d.row, d.cells, errors), ctx))
  // Codes compare case-insensitively: "QS" and "qs" would share the id st-qs.
  const byCode = new Map<string, StationDraft>()
  for (const d of drafts) {
    if (d.code === undefined) continue
    const key = d.code.toLowerCase()
    const first = byCode.get(key)
    if (first) {
      errors.push({ row: d.row, column: '编码', message: `编码「${d.code}」与第 ${first.row} 行重复` })
    } else {
      byCode.set(key, d)
    }
  }
  const known = new Set([...ctx.knownStationCodes].map((c) => c.toLowerCase()))
  for (const d of drafts) {
    if (d.parentCode === '' || d.tier === undefined || d.tier === 'district' || !CODE_RE.test(d.parentCode)) {
      continue
    }
    const key = d.parentCode.toLowerCase()
    if (d.code !== undefined && key === d.code.toLowerCase()) {
      errors.push({ row: d.row, column: '上级编码', message: '上级不能是本站自己' })
      continue
    }
    const parent = byCode.get(key)
    if (parent) {
      const expected = PARENT_TIER[d.tier]
      if (parent.tier !== undefined && parent.tier !== expected && expected !== null) {
        errors.push({
          row: d.row,
          column: '上级编码',
          message: `${TIER_LABELS[d.tier]}的上级应为${TIER_LABELS[expected]}，第 ${parent.row} 行的「${parent.code ?? d.parentCode}」是${TIER_LABELS[parent.tier]}`,
        })
      }
    } else if (!known.has(key)) {
      errors.push({
        row: d.row,
        column: '上级编码',
        message: `系统和本表中都没有编码为「${d.parentCode}」的服务站`,
      })
    }
  }
  return finish(
    'stations',
    drafts.flatMap((d) => (d.record ? [d.record] : [])),
    errors,
  )
}
