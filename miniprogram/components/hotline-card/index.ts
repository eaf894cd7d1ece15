import { dialable } from '../../utils/phone'

/** 服务热线卡片: one big button that dials the hotline (elderly users tap, not type). */
Component({
  properties: {
    title: { type: String, value: '服务热线' },
    phone: { type: String, value: '' },
    hours: { type: String, value: '' },
  },
  methods: {
    onCall() {
      const phoneNumber = dialable(this.data.phone)
      if (!phoneNumber) return
      wx.makePhoneCall({ phoneNumber }).catch(() => {
        // The user closed the dial sheet: nothing to do.
      })
      this.triggerEvent('call', { phoneNumber })
    },
  },
})
