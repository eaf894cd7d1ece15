/**
 * The data side of a deploy, the same for the cloud and Local CloudBase: read what is in the
 * environment's database, write the template mapping, run the first district's import and issue
 * the first admin's invitation. It runs the product's own code (server/actions, repositories)
 * over the real wx-server-sdk, logged in with the deploy's keys — so the import validates and
 * stages exactly as the admin's 导入 does, all or nothing, and resumes where a broken run stopped.
 */
import cloud from 'wx-server-sdk'
import { makeDeps } from '../../server/app/deps'
import type { Ctx, Deps } from '../../server/kit/context'
import type { Database } from '../../server/repositories/db'
import { runImport } from '../../server/actions/sheets'
import { issueInvitation } from '../../server/actions/roster'
import { PRINT_FONT_PATH } from '../../server/repositories/settings'
import type { Observed, Op, TemplateMap } from './types'

export interface DataTarget {
  env: string
  secretId: string
  secretKey: string
  /** Local CloudBase's TCB API URL; unset for the cloud. */
  tcbUrl?: string
}

export interface DataSide {
  db: Database
  deps: Deps
}

/** wx-server-sdk is one module-wide instance: the deploy talks to one environment at a time. */
export function connect(t: DataTarget): DataSide {
  if (t.tcbUrl) process.env.TCB_CONTEXT_CNFG = JSON.stringify({ URL: t.tcbUrl })
  else delete process.env.TCB_CONTEXT_CNFG
  cloud.init({ env: t.env, secretId: t.secretId, secretKey: t.secretKey } as Parameters<typeof cloud.init>[0])
  return { db: cloud.database() as unknown as Database, deps: makeDeps(cloud) }
}

/** A read that answers empty while its collection does not exist yet (a fresh environment). */
async function rows(q: Promise<{ data: Record<string, unknown>[] }>): Promise<Record<string, unknown>[]> {
  try {
    return (await q).data
  } catch (err) {
    if (
      /COLLECTION_NOT_EXIST|not exist/i.test(
        String((err as { errMsg?: string; message?: string }).errMsg ?? (err as Error).message),
      )
    )
      return []
    throw err
  }
}

export async function observeData(
  side: DataSide,
  now: Date,
): Promise<Pick<Observed, 'templates' | 'importedFiles' | 'admins' | 'printFont'>> {
  const { db } = side
  const [tpl, font, batches, admins] = await Promise.all([
    rows(db.collection('settings').where({ _id: 'templates' }).limit(1).get()),
    rows(db.collection('settings').where({ _id: 'printFont' }).limit(1).get()),
    rows(
      db
        .collection('import_batches')
        .where({ type: 'batch', status: 'done' })
        .field({ fileId: true })
        .limit(1000)
        .get(),
    ),
    rows(
      db.collection('agents').where({ role: 'admin', active: true }).field({ openid: true }).limit(100).get(),
    ),
  ])
  const invitations = admins.length
    ? await rows(
        db
          .collection('invitations')
          .where({
            agentId: db.command.in(admins.map((a) => a._id)),
            usedBy: null,
            expiresAt: db.command.gt(now),
          })
          .field({ agentId: true })
          .limit(100)
          .get(),
      )
    : []
  return {
    templates: ((tpl[0] as { events?: TemplateMap } | undefined)?.events ?? null) as TemplateMap | null,
    importedFiles: batches.map((b) => String(b.fileId)),
    printFont: font[0] ? { fileId: String(font[0].fileId), sha: String(font[0].sha) } : null,
    admins: admins.map((a) => ({
      id: String(a._id),
      bound: typeof a.openid === 'string' && a.openid !== '',
      invited: invitations.some((i) => i.agentId === a._id),
    })),
  }
}

export interface DataResult {
  invitation?: { agentId: string; code: string; expiresAt: string }
}

function ctxOf(side: DataSide, now: Date): Ctx {
  // The deploy acts for the operator who holds the environment's keys; no WeChat user.
  return { caller: { openid: '' }, now, deps: side.deps }
}

export async function applyDataOp(
  side: DataSide,
  op: Op,
  now: Date,
  log: (s: string) => void,
): Promise<DataResult> {
  switch (op.kind) {
    case 'templates.set':
      await side.db
        .collection('settings')
        .doc('templates')
        .set({ data: { events: op.templates } })
      return {}
    case 'data.import': {
      const fileId = await side.deps.platform.upload(op.sheet.cloudPath, op.sheet.bytes)
      // One call applies about 1,000 rows; a larger sheet answers `applying` and is continued.
      for (let round = 0; ; round++) {
        const res = await runImport(ctxOf(side, now), { kind: op.sheet.kind, fileId }, 'deploy')
        log(`    ${res.message}`)
        if (res.status === 'done') return {}
        if (round > 1000) throw new Error(`导入 ${op.sheet.label} 未能完成：${res.message}`)
      }
    }
    case 'admin.invite': {
      const inv = await issueInvitation(ctxOf(side, now), op.agentId)
      return { invitation: { agentId: op.agentId, ...inv } }
    }
    case 'font.upload': {
      // Uploaded first, recorded second: a run that stops between the two uploads again.
      const fileId = await side.deps.platform.upload(PRINT_FONT_PATH, op.font.bytes)
      await side.deps.settings.savePrintFont({ fileId, sha: op.font.sha, bytes: op.font.bytes.length })
      return {}
    }
    default:
      throw new Error(`not a data operation: ${op.kind}`)
  }
}
