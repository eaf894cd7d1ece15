import type { ActionTable } from './router'

/** Dependencies handed to every action (the initialised SDK; repositories wrap its database). */
export interface Deps {
  cloud: typeof import('wx-server-sdk')
}

/** The action table; each capability registers its actions here. */
export const actions: ActionTable<Deps> = {}
