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

export function fetchStation(id: string): Promise<StationDetail> {
  return callApi('stations.get', { id })
}

export function fetchDuty(stationId: string): Promise<DutyToday> {
  return callApi('duty.today', { stationId })
}
