type Resolve = (r: { event: 'agree' | 'disagree'; buttonId?: string }) => void

/**
 * 隐私授权: when a privacy-scoped API (location, photos, album) is first used, WeChat asks the
 * mini-program to show its own notice; the user's tap on the agree button authorises it
 * (https://developers.weixin.qq.com/miniprogram/dev/framework/user-privacy/PrivacyAuthorize.html).
 */
Component({
  properties: { purpose: { type: String, value: '为您提供服务' } },
  data: { show: false },
  lifetimes: {
    attached() {
      const api = wx as unknown as { onNeedPrivacyAuthorization?: (cb: (resolve: Resolve) => void) => void }
      api.onNeedPrivacyAuthorization?.((resolve) => {
        ;(this as unknown as { resolve?: Resolve }).resolve = resolve
        this.setData({ show: true })
      })
    },
  },
  methods: {
    onAgree() {
      ;(this as unknown as { resolve?: Resolve }).resolve?.({ event: 'agree', buttonId: 'agree-btn' })
      this.setData({ show: false })
    },
    onDisagree() {
      ;(this as unknown as { resolve?: Resolve }).resolve?.({ event: 'disagree' })
      this.setData({ show: false })
    },
    onOpenContract() {
      const api = wx as unknown as { openPrivacyContract?: (o: object) => Promise<unknown> }
      api.openPrivacyContract?.({}).catch(() => undefined)
    },
  },
})
