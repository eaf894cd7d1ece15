/**
 * npm run doctor: checks a deployed environment (the cloud one named by ENV_ID, or a Local
 * CloudBase in tests) against the repository — functions and triggers with their configuration,
 * collections, indexes and rules as planned — and what a deploy cannot set itself: the
 * cloud-call permission for subscribeMessage.send (errCode -604101 without it), the template
 * mapping, a bound admin, and a working calendar covering the next 60 days.
 */
import * as path from 'node:path'
import cloud from 'wx-server-sdk'
import { loadCalendar } from '../server/kit/context'
import { NOTIFY_EVENTS } from '../server/domain/notifications'
import { shanghaiDay } from '../server/domain/calendar'
import { dataSide, loadInputs, observe, DeployError, InputError, type Target } from './deploy'
import { describeOp, plan } from './deploy/plan'
import { cloudCredentials, readEnv } from './deploy/env'

export interface Finding {
  status: 'ok' | 'warn' | 'fail'
  what: string
  detail: string
}

export const PERMISSION_FIX = [
  '云函数缺少「云调用」权限 subscribeMessage.send（errCode -604101）：该权限只在微信开发者工具上传云函数时按 config.json 的 permissions.openapi 生效，',
  'npm run deploy 与 miniprogram-ci 都无法设置。请：',
  '  1. 用微信开发者工具打开本仓库根目录，右上角「云开发」选择环境 {env}；',
  '  2. 在 cloudfunctions/api 上右键 →「上传并部署：云端安装依赖」，cloudfunctions/jobs 同样操作（订阅消息由 jobs 发送）；',
  '  3. 再运行 npm run deploy（恢复代码标记，代码不变则只更新配置）与 npm run doctor 确认。',
].join('\n')

function day(d: Date): string {
  return shanghaiDay(d)
}

export async function doctor(
  target: Exclude<Target, { kind: 'offline' }>,
  root: string,
  now: Date,
): Promise<Finding[]> {
  const out: Finding[] = []
  const desired = await loadInputs({ root })
  const side = dataSide(target)
  const observed = await observe(target, desired, now, side)
  const p = plan(desired, observed)
  for (const op of p.ops.filter((o) => o.kind !== 'admin.invite'))
    out.push({ status: 'fail', what: '与定义不一致', detail: `${describeOp(op)}（运行 npm run deploy）` })
  for (const d of p.drift) out.push({ status: 'warn', what: d.what, detail: d.detail })
  if (!p.ops.length)
    out.push({
      status: 'ok',
      what: '云函数、触发器、集合、索引、安全规则',
      detail: `${desired.functions.length} 个函数、${desired.collections.length} 个集合与定义一致`,
    })

  const mapped = Object.keys(observed.templates ?? {})
  const unmapped = NOTIFY_EVENTS.filter((e) => !mapped.includes(e))
  if (!mapped.length)
    out.push({
      status: 'fail',
      what: '订阅消息模板',
      detail: '尚未写入模板映射：npm run deploy -- --templates <文件>（格式见 database/demo/templates.json）',
    })
  else if (unmapped.length)
    out.push({
      status: 'warn',
      what: '订阅消息模板',
      detail: `${unmapped.length} 个事件没有模板，不会发送：${unmapped.join('、')}`,
    })
  else out.push({ status: 'ok', what: '订阅消息模板', detail: `${mapped.length} 个事件均已配置` })

  if (!observed.admins.length)
    out.push({
      status: 'fail',
      what: '管理员',
      detail: '花名册中没有管理员：npm run deploy -- --district <文件夹>',
    })
  else if (!observed.admins.some((a) => a.bound))
    out.push({
      status: 'warn',
      what: '管理员',
      detail: observed.admins.some((a) => a.invited)
        ? '尚无管理员绑定微信；部署时打印的邀请码仍有效'
        : '尚无管理员绑定微信，也没有有效的邀请码：运行 npm run deploy 生成一个',
    })
  else
    out.push({
      status: 'ok',
      what: '管理员',
      detail: `${observed.admins.filter((a) => a.bound).length} 位已绑定微信`,
    })

  if (observed.printFont)
    out.push({
      status: 'ok',
      what: '打印字体',
      detail: `已上传（${observed.printFont.sha}），公示栏与明白卡可以打印`,
    })
  else
    out.push({
      status: 'fail',
      what: '打印字体',
      detail:
        '尚未上传，公示栏与明白卡不能打印：npm run deploy -- --font <wqy-microhei.ttc>（Debian/Ubuntu：apt install fonts-wqy-microhei 后直接 npm run deploy）',
    })

  // The permission: a probe send from inside the deployed api function.
  try {
    const res = (await cloud.callFunction({
      name: 'api',
      data: { action: 'system.probe', payload: {} },
    })) as {
      result?: {
        ok: boolean
        data?: { subscribeMessage: { errCode: number; errMsg: string } }
        error?: { message: string }
      }
    }
    const r = res.result
    const sent = r?.data?.subscribeMessage
    if (!r?.ok || !sent)
      out.push({
        status: 'fail',
        what: '云调用权限',
        detail: `无法检查：${r?.error?.message ?? '函数未答复'}`,
      })
    else if (sent.errCode === -604101)
      out.push({
        status: 'fail',
        what: '云调用权限',
        detail: PERMISSION_FIX.replace(
          '{env}',
          target.kind === 'cloud' ? target.cloud.envId : target.lcb.envId,
        ),
      })
    else
      out.push({
        status: 'ok',
        what: '云调用权限',
        detail: `subscribeMessage.send 可调用（探测答复 ${sent.errCode} ${sent.errMsg}）`,
      })
  } catch (err) {
    out.push({ status: 'fail', what: '云调用权限', detail: `无法调用云函数 api：${(err as Error).message}` })
  }

  const calendar = await loadCalendar(side.deps)
  const missing = new Set<number>()
  for (let i = 0; i <= 60; i++) {
    const d = day(new Date(now.getTime() + i * 86_400_000))
    if (!calendar.isCovered(d)) missing.add(Number(d.slice(0, 4)))
  }
  if (missing.size)
    out.push({
      status: 'fail',
      what: '工作日历',
      detail: `未来 60 天内 ${[...missing].join('、')} 年的节假日安排尚未录入（期限按周一至周五推算）：管理员在「我的 → 工作日历」录入国务院办公厅公布的安排`,
    })
  else
    out.push({
      status: 'ok',
      what: '工作日历',
      detail: `覆盖到 ${calendar.coveredUntil()}（未来 60 天均已覆盖）`,
    })
  return out
}

export function render(findings: Finding[]): string {
  const mark = { ok: '✓', warn: '!', fail: '✗' }
  return findings.map((f) => `${mark[f.status]} ${f.what}：${f.detail}`).join('\n')
}

async function main(): Promise<number> {
  const root = path.resolve(__dirname, '..')
  const creds = cloudCredentials(readEnv(root))
  if ('missing' in creds)
    throw new InputError(
      `缺少检查所需的设置（环境变量或 .env，见 .env.example）：\n  ${creds.missing.join('\n  ')}`,
    )
  const findings = await doctor({ kind: 'cloud', cloud: { ...creds, root } }, root, new Date())
  console.log(`检查云开发环境 ${creds.envId}：\n${render(findings)}`)
  return findings.some((f) => f.status === 'fail') ? 1 : 0
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`检查未完成：${(err as Error).message}`)
      if (!(err instanceof InputError || err instanceof DeployError)) console.error(err)
      process.exit(1)
    },
  )
}
