/** How values are written in the sheets and read back: labels, codes, numbers, ids. */
import type { Material, Tier } from '../../../typings/domain'
import { KIND_LABELS, PROXY_MODE_LABELS, ROLE_LABELS } from '../network'
import { ITEM_CATEGORIES } from './columns'

/** The tier labels written on export; the full station names are accepted too. */
export const TIER_SHEET_LABELS: Record<Tier, string> = {
  district: '区',
  township: '乡镇',
  village: '村（社区）',
}

export const TIER_INPUT: Record<string, Tier> = {
  区: 'district',
  区为民服务中心: 'district',
  乡镇: 'township',
  乡镇为民服务站: 'township',
  '村（社区）': 'village',
  '村（社区）为民服务室': 'village',
  村: 'village',
  社区: 'village',
}

export const FORM_INPUT: Record<string, Material['form']> = {
  原件: 'original',
  复印件: 'copy',
  原件或复印件: 'either',
  '原件/复印件': 'either',
}

export const STATUS_INPUT: Record<string, boolean> = { 在用: true, 停用: false }
export const YES_NO_INPUT: Record<string, boolean> = { 是: true, 否: false }

export function invert<T extends string>(labels: Record<T, string>): Record<string, T> {
  const out: Record<string, T> = {}
  for (const [value, label] of Object.entries(labels) as [T, string][]) out[label] = value
  return out
}

export const ROLE_INPUT = invert(ROLE_LABELS)
export const CATEGORY_INPUT: Record<string, string> = Object.fromEntries(ITEM_CATEGORIES.map((c) => [c, c]))
export const KIND_INPUT = invert(KIND_LABELS)
export const PROXY_MODE_INPUT = invert(PROXY_MODE_LABELS)

export const CODE_RE = /^[A-Za-z0-9_-]+$/
export const STATION_CODE_MAX = 30
export const ITEM_CODE_MAX = 32
export const AGENT_ID_RE = /^[A-Za-z0-9_-]{1,64}$/
export const MOBILE_RE = /^1\d{10}$/
export const PHONE_RE = /^(1\d{10}|0\d{2,3}-?\d{7,8})$/
export const NUMBER_RE = /^[-+]?\d+(\.\d+)?$/
/** Mainland China, with a margin: catches swapped or mistyped coordinates. */
export const LATITUDE_RANGE = [3, 54] as const
export const LONGITUDE_RANGE = [73, 136] as const
export const MAX_DAYS = 365

export function stationIdOf(code: string): string {
  return `st-${code.toLowerCase()}`
}

export function itemIdOf(code: string): string {
  return `it-${code}`
}
