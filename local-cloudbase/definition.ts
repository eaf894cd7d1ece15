import type { IndexDef, Store } from './db/store'

/**
 * The database definition (database/definition.json): collections and their indexes. The
 * same file drives Local CloudBase at start and the deploy script for the cloud.
 */
export interface DatabaseDefinition {
  collections: Record<string, { description?: string; indexes?: IndexDef[] }>
}

export function applyDefinition(store: Store, def: DatabaseDefinition, now: number): void {
  for (const [name, spec] of Object.entries(def.collections)) {
    store.createCollection(name, now)
    for (const index of spec.indexes ?? []) store.ensureIndex(name, index)
  }
}
