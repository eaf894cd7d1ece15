/**
 * One deploy, two targets: the plan is computed once (plan.ts) from the repository and what the
 * target has, printed, and — unless `--plan` — carried out by the cloud applier (cloud.ts,
 * management SDK) or the Local CloudBase applier (local.ts), with the data operations (template
 * mapping, first district, first admin) run by data.ts on the product's own code for both.
 * Every operation is idempotent and the plan is recomputed from what exists, so a run that
 * stopped half way is finished by the next one.
 */
import * as path from 'node:path'
import type { LocalCloudBase } from '../../local-cloudbase/server'
import { findPrintFont, loadDesired, InputError, type LoadOptions } from './project'
import { loadDistrict } from './district'
import { EMPTY_OBSERVED, describeOp, isDataOp, plan as makePlan, summary, type PlanOptions } from './plan'
import { CloudEnvironment, DeployError, type CloudTarget } from './cloud'
import { applyLocal, observeLocal } from './local'
import { applyDataOp, connect, observeData, type DataSide } from './data'
import type { Desired, Observed, Plan } from './types'

export type Target =
  { kind: 'offline' } | { kind: 'cloud'; cloud: CloudTarget } | { kind: 'local'; lcb: LocalCloudBase }

export interface DeployOptions extends LoadOptions, PlanOptions {
  root: string
  /** Print the plan only. */
  planOnly?: boolean
  now?: Date
  log?: (line: string) => void
}

export interface DeployResult {
  plan: Plan
  desired: Desired
  applied: number
  invitation?: { agentId: string; code: string; expiresAt: string }
  ms: number
}

export { DeployError, InputError }

export async function loadInputs(opts: DeployOptions): Promise<Desired> {
  const district = opts.districtDir ? await loadDistrict(opts.districtDir, opts.root) : null
  return loadDesired(opts.root, opts, district)
}

/** The environment's data API (wx-server-sdk with the deploy's keys), for the deploy and the doctor. */
export function dataSide(target: Exclude<Target, { kind: 'offline' }>): DataSide {
  return target.kind === 'local'
    ? connect({
        env: target.lcb.envId,
        secretId: 'deploy',
        secretKey: 'deploy',
        tcbUrl: target.lcb.tcbApiUrl,
      })
    : connect({ env: target.cloud.envId, secretId: target.cloud.secretId, secretKey: target.cloud.secretKey })
}

export async function observe(
  target: Target,
  desired: Desired,
  now: Date,
  side?: DataSide,
): Promise<Observed> {
  if (target.kind === 'offline') return EMPTY_OBSERVED
  if (target.kind === 'local')
    return { ...observeLocal(target.lcb), ...(await observeData(side ?? dataSide(target), now)) }
  // Management first: a wrong key or env id is explained there, before the data API is tried.
  const managed = await new CloudEnvironment(target.cloud).observe(
    desired.functions.map((f) => f.name),
    desired.collections,
  )
  try {
    return { ...managed, ...(await observeData(side ?? dataSide(target), now)) }
  } catch (err) {
    throw new DeployError(
      `无法读取环境 ${target.cloud.envId} 的数据库（${(err as { errMsg?: string }).errMsg ?? (err as Error).message}）：检查 ENV_ID 与密钥，以及该环境是否为微信开发者工具创建的文档型数据库环境`,
    )
  }
}

export async function deploy(target: Target, opts: DeployOptions): Promise<DeployResult> {
  const t0 = Date.now()
  const log = opts.log ?? ((s: string) => console.log(s))
  const now = opts.now ?? (target.kind === 'local' ? new Date(target.lcb.clock.now()) : new Date())
  const desired = await loadInputs(opts)
  const side = target.kind === 'offline' ? undefined : dataSide(target)
  const observed = await observe(target, desired, now, side)
  const plan = makePlan(desired, observed, opts)
  const where =
    target.kind === 'offline'
      ? '离线（未连接环境：按空环境列出全部操作）'
      : target.kind === 'local'
        ? `Local CloudBase ${target.lcb.url}`
        : `云开发环境 ${target.cloud.envId}`
  log(`部署计划 → ${where}：${plan.ops.length} 项操作`)
  log(summary(plan))
  if (!desired.printFont && !observed.printFont && target.kind !== 'offline')
    log(
      '\n注意：没有找到打印字体，环境中也还没有：公示栏与明白卡暂时不能打印。' +
        '安装 fonts-wqy-microhei，或用 --font <wqy-microhei.ttc> 指定后再次部署。',
    )
  const result: DeployResult = { plan, desired, applied: 0, ms: 0 }
  if (plan.errors.length) throw new InputError('输入有误，未执行任何操作（见上）')
  if (plan.refused.length) throw new DeployError('有需要 --prune 或人工处理的差异，未执行任何操作（见上）')
  if (opts.planOnly || target.kind === 'offline' || !plan.ops.length)
    return { ...result, ms: Date.now() - t0 }
  const cloud = target.kind === 'cloud' ? new CloudEnvironment(target.cloud) : null
  for (const op of plan.ops) {
    log(`  → ${describeOp(op)}`)
    if (isDataOp(op)) {
      const r = await applyDataOp(side!, op, now, log)
      if (r.invitation) result.invitation = r.invitation
    } else if (cloud) await cloud.apply(op)
    else if (target.kind === 'local') applyLocal(target.lcb, op)
    result.applied++
  }
  if (result.invitation)
    log(
      `\n第一位管理员（花名册 ${result.invitation.agentId}）的一次性邀请码：${result.invitation.code}\n` +
        `有效至 ${result.invitation.expiresAt}。请本人在小程序「我的 → 绑定花名册」输入；只显示这一次。`,
    )
  return { ...result, ms: Date.now() - t0 }
}

/** `npm start`: the project into Local CloudBase, with the demo's template mapping. */
export async function deployLocal(
  lcb: LocalCloudBase,
  root: string,
  log?: (s: string) => void,
): Promise<DeployResult> {
  return deploy(
    { kind: 'local', lcb },
    {
      root,
      templatesFile: path.join(root, 'database/demo/templates.json'),
      fontFile: findPrintFont(undefined, process.env) || undefined,
      log: log ?? (() => {}),
    },
  )
}
