import { config } from '../../config'
import { ApiCallError, callApi, demoOpenid, setDemoOpenid } from '../../services/api'
import { chooseElderlyMode, isElderlyMode } from '../../services/settings'

const DEMO_IDENTITIES = [
  { openid: 'o-demo-resident-1', label: '群众 1（已结对）' },
  { openid: 'o-demo-resident-2', label: '群众 2' },
  { openid: 'o-demo-agent-village', label: '村代理员' },
  { openid: 'o-demo-head-village', label: '村服务室站长' },
  { openid: 'o-demo-head-township', label: '乡镇服务站站长' },
  { openid: 'o-demo-supervisor', label: '督查' },
  { openid: 'o-demo-admin', label: '管理员' },
]

/** 我的: elderly mode, binding to the roster with an invitation code, demo identity (local mode). */
Component({
  data: {
    elderly: false,
    agent: null as null | { name: string; stationName: string; role: string },
    code: '',
    codeError: '',
    localMode: config.transport === 'local',
    demoIdentities: DEMO_IDENTITIES,
    demoOpenid: '',
    showBind: false,
  },
  methods: {
    onLoad() {
      this.setData({ elderly: isElderlyMode(), demoOpenid: demoOpenid() })
      return this.loadProfile()
    },
    onShow() {
      if (this.data.elderly !== isElderlyMode()) this.setData({ elderly: isElderlyMode() })
    },
    async loadProfile() {
      try {
        const me = await callApi('me.profile', {})
        this.setData({ agent: me.agent })
      } catch {
        this.setData({ agent: null })
      }
    },
    onElderly(e: { detail: boolean }) {
      chooseElderlyMode(e.detail)
      this.setData({ elderly: e.detail })
    },
    onShowBind() {
      this.setData({ showBind: true })
    },
    onCode(e: { detail: string }) {
      this.setData({ code: e.detail, codeError: '' })
    },
    async onBind() {
      try {
        const res = await callApi('roster.bind', { code: this.data.code })
        wx.showToast({ title: `已绑定：${res.name}`, icon: 'success' })
        await this.loadProfile()
      } catch (err) {
        const e = err as ApiCallError
        this.setData({ codeError: e.fields?.code ?? e.message ?? '绑定失败，请重试' })
      }
    },
    onDemo(e: { detail: string }) {
      setDemoOpenid(e.detail)
      this.setData({ demoOpenid: e.detail })
      return this.loadProfile()
    },
    onDemoCell(e: WechatMiniprogram.TouchEvent) {
      const openid = String(e.currentTarget.dataset.openid)
      setDemoOpenid(openid)
      this.setData({ demoOpenid: openid })
      return this.loadProfile()
    },
  },
})
