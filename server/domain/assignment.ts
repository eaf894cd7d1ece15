/**
 * 谁来办 (assignment), in DOMAIN.md order, stopping at the first that applies and skipping
 * anyone on leave or retired:
 * 1. the resident's paired agent (结对帮扶) at that station;
 * 2. the agent on duty today (值班 / 轮流坐班);
 * 3. agents whose specialties include the item's category, fewest open cases first, then least
 *    recently assigned (round robin);
 * 4. the station head.
 * Pure: the caller supplies today's duty, open-case counts and last-assignment times.
 */
import type { Agent } from '../../typings/domain'
import { isOnLeave } from './network'

export interface AssignmentInput {
  day: string
  category: string
  agents: readonly Agent[]
  pairedAgentIds: readonly string[]
  dutyAgentIds: readonly string[]
  openCases: ReadonlyMap<string, number>
  lastAssignedAt: ReadonlyMap<string, number>
  headAgentId: string | null
}

export interface Assignment {
  agentId: string
  reason: string
}

export function chooseAssignee(input: AssignmentInput): Assignment | null {
  const available = new Map(
    input.agents
      .filter((a) => a.active && !isOnLeave(a, input.day) && (a.role === 'agent' || a.role === 'head'))
      .map((a) => [a._id, a]),
  )
  const paired = input.pairedAgentIds.find((id) => available.has(id))
  if (paired) return { agentId: paired, reason: '结对代理员' }
  const duty = input.dutyAgentIds.filter((id) => available.has(id))
  if (duty.length) {
    const pick = leastLoaded(duty, input)
    return { agentId: pick, reason: `${input.day} 值班代理员` }
  }
  const specialists = [...available.values()]
    .filter((a) => a.specialties.includes(input.category))
    .map((a) => a._id)
  if (specialists.length)
    return { agentId: leastLoaded(specialists, input), reason: `擅长「${input.category}」，在办件最少` }
  if (input.headAgentId && available.has(input.headAgentId))
    return { agentId: input.headAgentId, reason: '站长兜底' }
  return null
}

function leastLoaded(ids: readonly string[], input: AssignmentInput): string {
  return [...ids].sort(
    (a, b) =>
      (input.openCases.get(a) ?? 0) - (input.openCases.get(b) ?? 0) ||
      (input.lastAssignedAt.get(a) ?? 0) - (input.lastAssignedAt.get(b) ?? 0) ||
      a.localeCompare(b),
  )[0]!
}
