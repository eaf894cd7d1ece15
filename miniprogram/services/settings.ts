/** 长辈模式 (elderly mode): large type, high contrast, a simpler home. Remembered on the phone. */
const ELDERLY_KEY = 'ui.elderly'

export function isElderlyMode(): boolean {
  return wx.getStorageSync(ELDERLY_KEY) === true
}

export function setElderlyMode(on: boolean): void {
  wx.setStorageSync(ELDERLY_KEY, on)
}
