import cloud from 'wx-server-sdk'
import { dispatch } from '../../server/app/router'
import { actions } from '../../server/app/actions'
import { makeDeps } from '../../server/app/deps'

// DYNAMIC_CURRENT_ENV: the environment the function is deployed in (cloud or Local CloudBase).
// The published typings declare `env` as string only; the SDK accepts this symbol at runtime.
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string })
const deps = makeDeps(cloud)

/** Thin entry: identity from the platform, then the router. */
export async function main(event: unknown): Promise<unknown> {
  const wxContext = cloud.getWXContext()
  return dispatch(actions, event, {
    caller: {
      openid: String(wxContext.OPENID ?? ''),
      appid: String(wxContext.APPID ?? ''),
      source: String((wxContext as { SOURCE?: string }).SOURCE ?? ''),
    },
    now: new Date(),
    deps,
  })
}
