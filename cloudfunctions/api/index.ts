import cloud from 'wx-server-sdk'
import { dispatch } from '../../server/app/router'
import { actions } from '../../server/app/actions'
import type { Deps } from '../../server/app/context'
import { wxPlatform } from '../../server/app/platform'
import type { Database } from '../../server/repositories/db'
import { NetworkRepository } from '../../server/repositories/network'
import { RosterRepository } from '../../server/repositories/roster'
import { SettingsRepository } from '../../server/repositories/settings'
import { CaseRepository } from '../../server/repositories/cases'

// DYNAMIC_CURRENT_ENV: the environment the function is deployed in (cloud or Local CloudBase).
// The published typings declare `env` as string only; the SDK accepts this symbol at runtime.
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string })

const db = cloud.database() as unknown as Database
const deps: Deps = {
  network: new NetworkRepository(db),
  settings: new SettingsRepository(db),
  roster: new RosterRepository(db),
  cases: new CaseRepository(db),
  platform: wxPlatform(cloud),
}

/** Thin entry: identity from the platform, then the router. */
export async function main(event: unknown): Promise<unknown> {
  const wxContext = cloud.getWXContext()
  return dispatch(actions, event, {
    caller: { openid: String(wxContext.OPENID ?? ''), appid: String(wxContext.APPID ?? '') },
    now: new Date(),
    deps,
  })
}
