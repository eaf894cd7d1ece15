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
  /**
   * Subscribe-message template ids (订阅消息) asked for on the apply tap (at most 3 per ask).
   * The demo ids match the seeded templates; a real district copies its own from the console.
   */
  subscribeTemplates: ['TPL-SUPPLEMENT', 'TPL-COMPLETED', 'TPL-DELIVERED'] as string[],
  /** Asked on the booking tap: the appointment reminder and the home-visit answer. */
  appointmentTemplates: ['TPL-APPOINTMENT', 'TPL-VISIT', 'TPL-APPOINTMENT-CHANGED'] as string[],
  /** Asked on the workbench: new case, due soon / today, overdue. */
  agentTemplates: ['TPL-CASE-ASSIGNED', 'TPL-DUE', 'TPL-OVERDUE'] as string[],
}
