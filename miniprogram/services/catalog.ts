import type { ItemDetail, ItemSummary, Paged } from '../../typings/api'
import type { Tier } from '../../typings/domain'
import { callApi } from './api'

export interface CatalogQuery {
  stationId?: string
  tier?: Tier
  category?: string
  keyword?: string
  page?: number
}

export function fetchCatalog(q: CatalogQuery): Promise<Paged<ItemSummary> & { categories: string[] }> {
  return callApi('catalog.list', { ...q, pageSize: 20 })
}

export function fetchItem(id: string, stationId?: string): Promise<ItemDetail> {
  return callApi('catalog.get', stationId ? { id, stationId } : { id })
}
