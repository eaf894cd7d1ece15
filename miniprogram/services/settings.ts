/** 长辈模式 (elderly mode): large type, high contrast, a simpler home. Remembered on the phone. */
const ELDERLY_KEY = 'ui.elderly'

export function isElderlyMode(): boolean {
  return wx.getStorageSync(ELDERLY_KEY) === true
}

export function setElderlyMode(on: boolean): void {
  wx.setStorageSync(ELDERLY_KEY, on)
}

const ASKED_KEY = 'ui.elderly.asked'

/** Whether the resident has already answered the first-launch 长辈模式 question. */
export function elderlyModeAsked(): boolean {
  return wx.getStorageSync(ASKED_KEY) === true
}

export function chooseElderlyMode(on: boolean): void {
  setElderlyMode(on)
  wx.setStorageSync(ASKED_KEY, true)
}
