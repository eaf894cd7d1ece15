/**
 * Which transport the API client uses. `cloud`: wx.cloud.callFunction (production).
 * `local`: Local CloudBase's gateway on this machine (DevTools with "不校验合法域名"), calling
 * as the demo identity picked in 我的 → 本地演示身份.
 */
export const config = {
  transport: 'local' as 'cloud' | 'local',
  cloudEnv: '',
  gatewayUrl: 'http://127.0.0.1:8787/gateway',
  /**
   * The hotline shown when the phone is offline and no station was ever loaded on it (the
   * district service centre's; each district sets its own).
   */
  fallbackHotline: { name: '区为民服务中心', phone: '0851-86218000', hours: '工作日 8:30-17:30' },
}
