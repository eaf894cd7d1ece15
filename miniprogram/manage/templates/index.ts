import { pageLoad } from '../../behaviors/page-load'
import { errorText } from '../../services/api'
import { saveTemplate, templates, testTemplate, type Templates } from '../../services/manage'
import { fieldErrorsOf } from '../form'

type Event = Templates['events'][number]

/**
 * 订阅消息模板 (admins): which template each event uses, its page and field mapping (thing1 →
 * itemName, one per line), and a test send to oneself that says plainly what WeChat answered.
 */
Component({
  behaviors: [pageLoad],
  data: {
    events: [] as Event[],
    editing: '' as string,
    form: { templateId: '', page: '', fields: '', saved: false },
    fieldErrors: {} as Record<string, string>,
    message: '',
    /** A refused save or test send: said apart from a failed load (which offers 重新加载). */
    tapError: '',
  },
  methods: {
    async fetchPage() {
      return { events: (await templates()).events }
    },
    onEdit(e: WechatMiniprogram.CustomEvent) {
      const ev = this.data.events.find((x) => x.event === e.currentTarget.dataset.event)
      if (!ev) return
      const t = ev.template
      this.setData({
        editing: ev.event,
        form: {
          saved: !!t,
          templateId: t?.templateId ?? '',
          page: t?.page ?? '',
          fields: Object.entries(t?.fields ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join('\n'),
        },
        fieldErrors: {},
        message: '',
        tapError: '',
      })
    },
    onField(e: WechatMiniprogram.CustomEvent) {
      this.setData({ [`form.${String(e.currentTarget.dataset.key)}`]: String(e.detail), fieldErrors: {} })
    },
    async onSave() {
      const f = this.data.form
      const fields = Object.fromEntries(
        f.fields
          .split(/\n+/)
          .map((l) => l.split('=').map((s) => s.trim()))
          .filter((p) => p[0] && p[1]),
      )
      try {
        await saveTemplate({
          event: this.data.editing as Event['event'],
          templateId: f.templateId,
          page: f.page,
          fields,
        })
        this.setData({ message: '已保存，可以「发给自己测试」', 'form.saved': true })
        await this.reload()
      } catch (err) {
        // The line above the form stays as well: it says the save did not happen.
        this.setData({ fieldErrors: fieldErrorsOf(err), tapError: errorText(err, '保存失败') })
      }
    },
    async onTest(e: WechatMiniprogram.CustomEvent) {
      try {
        // The admin grants the template first (a one-time grant is what the test send uses up).
        if (typeof wx.requestSubscribeMessage === 'function')
          await wx
            .requestSubscribeMessage({
              tmplIds: [String(e.currentTarget.dataset.tpl)],
            } as WechatMiniprogram.RequestSubscribeMessageOption)
            .catch(() => undefined)
        const r = await testTemplate(e.currentTarget.dataset.event as Event['event'])
        // Not sent (no grant, a wrong template id) reads as a problem, not as a success.
        this.setData(r.sent ? { message: r.message, tapError: '' } : { tapError: r.message, message: '' })
      } catch (err) {
        this.setData({ tapError: errorText(err, '测试发送失败') })
      }
    },
  },
})
