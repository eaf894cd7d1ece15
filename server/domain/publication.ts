/**
 * What an item still lacks to count as fully published (代理事项公开率): materials, procedure,
 * time limit, a responsible agent and the supervision hotline, and the published flag itself.
 * Pure: the admin pages show it per item, the KPI counts the same conditions.
 */
import type { Item } from '../../typings/domain'

export function itemLacks(
  item: Pick<Item, 'published' | 'materials' | 'steps' | 'promisedDays' | 'active'>,
  context: { supervisionHotline: string; responsible: boolean },
): string[] {
  const lacks: string[] = []
  if (!item.active) return ['已停用']
  if (!item.published) lacks.push('未公开')
  if (item.materials.length === 0) lacks.push('缺所需材料')
  if (item.steps.length === 0) lacks.push('缺办理流程')
  if (!Number.isInteger(item.promisedDays)) lacks.push('缺承诺时限')
  if (!context.responsible) lacks.push('没有负责的代理员')
  if (!context.supervisionHotline.trim()) lacks.push('缺监督电话')
  return lacks
}
