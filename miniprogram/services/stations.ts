import type { DutyToday, StationDetail } from '../../typings/api'
import { callApi } from './api'

const MY_STATION_KEY = 'my.stationId'

/** The station the resident treats as "mine" (their village room, or one scanned by QR). */
export function myStationId(): string {
  return (wx.getStorageSync(MY_STATION_KEY) as string) || ''
}

export function setMyStation(id: string): void {
  wx.setStorageSync(MY_STATION_KEY, id)
}

/** What the home page needs to show the hotline with no network: the last station seen. */
export interface StationCard {
  id: string
  name: string
  hotline: string
  hours: string
}
const CARD_KEY = 'my.stationCard'

export function cachedStationCard(): StationCard | null {
  const card = wx.getStorageSync(CARD_KEY) as StationCard | ''
  return card && card.id === myStationId() ? card : null
}

export async function fetchStation(id: string): Promise<StationDetail> {
  const s = await callApi('stations.get', { id })
  if (id === myStationId()) {
    wx.setStorageSync(CARD_KEY, {
      id: s.id,
      name: s.name,
      hotline: s.hotline,
      hours: s.hours,
    } satisfies StationCard)
  }
  return s
}

export function fetchDuty(stationId: string): Promise<DutyToday> {
  return callApi('duty.today', { stationId })
}
