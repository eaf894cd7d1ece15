import simulate from 'miniprogram-simulate'
import { loadComponent, settle } from './helpers'

const id = loadComponent('components/hotline-card/index')

describe('hotline-card', () => {
  let makePhoneCall: jest.Mock

  beforeEach(() => {
    // The phone dialer is outside the mini-program: record what would be dialed.
    makePhoneCall = jest.fn(() => Promise.resolve({ errMsg: 'makePhoneCall:ok' }))
    ;(wx as unknown as { makePhoneCall: jest.Mock }).makePhoneCall = makePhoneCall
  })

  it('shows the hotline and dials it when the button is tapped', async () => {
    const comp = simulate.render(id, {
      title: '青山镇为民服务站',
      phone: '0851-8888 1234',
      hours: '08:30-17:30',
    })
    comp.attach(document.createElement('parent-wrapper'))
    expect(comp.querySelector('.title')!.dom!.textContent).toBe('青山镇为民服务站')
    expect(comp.querySelector('.phone')!.dom!.textContent).toBe('0851-8888 1234')
    expect(comp.querySelector('.hours')!.dom!.textContent).toContain('08:30-17:30')

    const button = comp.querySelector('.call')!
    button.dispatchEvent('click')
    await settle()
    expect(makePhoneCall).toHaveBeenCalledWith({ phoneNumber: '085188881234' })
  })

  it('disables the button and never dials without a number', async () => {
    const comp = simulate.render(id, { phone: '' })
    comp.attach(document.createElement('parent-wrapper'))
    expect(comp.querySelector('.hours')).toBeUndefined()
    comp.querySelector('.call')!.dispatchEvent('click')
    await settle()
    expect(makePhoneCall).not.toHaveBeenCalled()
  })
})
