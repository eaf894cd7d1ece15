import { pageLoad } from '../../behaviors/page-load'
import { ApiCallError, errorText } from '../../services/api'
import { handOver, invite, retire, roster, type Roster, myStationId } from '../../services/manage'

/**
 * 花名册 of one station (admins; a head for their own): who is bound to WeChat, on leave today;
 * an invitation code to bind; retire, or first hand the open cases on (移交) to a colleague.
 */
Component({
  behaviors: [pageLoad],
  data: {
    stationId: '',
    roster: null as Roster | null,
    selected: '',
    toAgentId: '',
    fieldErrors: {} as Record<string, string>,
    code: '',
    message: '',
    error: '',
  },
  methods: {
    async fetchPage(query: Record<string, string | undefined>) {
      // Without a station named, a head sees their own station (admins: theirs, until they pick one).
      this.setData({ stationId: query.stationId ?? (await myStationId()) })
      await this.load()
      return {}
    },
    async load() {
      this.setData({ loading: true, error: '' })
      try {
        this.setData({ roster: await roster(this.data.stationId) })
      } catch (err) {
        this.setData({ error: errorText(err, '加载失败，请重试') })
      } finally {
        this.setData({ loading: false })
      }
    },
    onSelect(e: WechatMiniprogram.CustomEvent) {
      const id = String(e.currentTarget.dataset.id)
      this.setData({ selected: this.data.selected === id ? '' : id, code: '', message: '', error: '' })
    },
    onTo(e: WechatMiniprogram.CustomEvent) {
      this.setData({ toAgentId: String(e.detail), fieldErrors: {} })
    },
    async onInvite() {
      try {
        const r = await invite(this.data.selected)
        this.setData({
          code: r.code,
          message: `邀请码 ${r.code}，7 天内有效，请本人在「我的 → 绑定花名册」输入`,
        })
      } catch (err) {
        this.setData({ error: errorText(err, '生成邀请码失败') })
      }
    },
    async onHandOver() {
      try {
        const r = await handOver(this.data.selected, this.data.toAgentId)
        this.setData({ message: r.message })
      } catch (err) {
        this.setData({ fieldErrors: (err as ApiCallError).fields ?? {}, error: errorText(err, '移交失败') })
      }
    },
    async onRetire() {
      try {
        await retire({ kind: 'agent', id: this.data.selected })
        this.setData({ message: '已停用', selected: '' })
        await this.load()
      } catch (err) {
        this.setData({ error: errorText(err, '停用失败') })
      }
    },
  },
})
