import simulate from 'miniprogram-simulate'
import { loadComponent } from './helpers'

// Two pages sharing Vant components (radio and radio group among them), loaded in one file as
// the page tests do. Selectors match the class names simulate prefixes with the component's tag.
const visitId = loadComponent('pages/visit/index')
const applyId = loadComponent('pages/apply/index')

function render(id: string, data: Record<string, unknown>) {
  const page = simulate.render(id)
  page.attach(document.createElement('parent-wrapper'))
  page.setData(data)
  return page
}
const checkedRadios = (page: ReturnType<typeof render>) =>
  page.dom!.querySelectorAll('[class*="van-radio__icon--checked"]')

describe('page-test harness', () => {
  it('renders Vant content on every page of a file, not only the first', () => {
    for (const [id, button] of [
      [visitId, '提交上门申请'],
      [applyId, '提交申请'],
    ] as const) {
      const page = render(id, {})
      expect(page.dom!.querySelector('[class*="van-cell-group__title"]')?.textContent).toBeTruthy()
      const labels = page.dom!.querySelectorAll('[class*="van-button__text"]')
      expect([...labels].map((l) => l.textContent)).toContain(button)
    }
  })

  it('every van-radio finds its own van-radio-group: the chosen one shows checked, a tap reaches the page', async () => {
    const apply = render(applyId, { homeVisit: true, form: { visit: 'home' } })
    expect(checkedRadios(apply).length).toBe(1)
    expect(checkedRadios(apply)[0]!.closest('[class*="r-home"]')).not.toBeNull()

    const visit = render(visitId, { form: { reason: 'ill' } })
    expect(checkedRadios(visit).length).toBe(1)
    expect(checkedRadios(visit)[0]!.closest('van-radio')!.textContent).toContain('患病卧床')
    const onReason = jest.fn()
    ;(visit.instance as unknown as { onReason: jest.Mock }).onReason = onReason
    const radios = visit.querySelectorAll('.reason')
    ;(radios[1]!.instance as unknown as { onClickLabel(): void }).onClickLabel()
    await simulate.sleep(0)
    expect(onReason).toHaveBeenCalled()
  })
})
