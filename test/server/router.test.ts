import { dispatch, type Routes } from '../../server/app/router'
import { AppError, invalidInput } from '../../server/lib/errors'

const now = new Date('2026-11-26T02:00:00Z')
const caller = { openid: 'o-resident-1' }
const silent = { error: jest.fn() }

const table: Routes<{ tag: string }> = {
  'echo.me': async (payload, ctx) => ({
    payload,
    openid: ctx.caller.openid,
    tag: ctx.deps.tag,
    requestId: ctx.requestId,
  }),
  'fail.input': async () => {
    throw invalidInput({ name: '请填写姓名' })
  },
  'fail.crash': async () => {
    throw new TypeError('secret internals')
  },
}

const run = (event: unknown) => dispatch(table, event, { caller, now, deps: { tag: 't' } }, silent)

describe('api router', () => {
  it('wraps a result in the ok envelope with identity from the platform', async () => {
    await expect(run({ action: 'echo.me', payload: { a: 1 }, requestId: 'r1' })).resolves.toEqual({
      ok: true,
      data: { payload: { a: 1 }, openid: 'o-resident-1', tag: 't', requestId: 'r1' },
    })
  })

  it('answers unknown actions and malformed events with stable codes', async () => {
    expect(await run({ action: 'nope' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_ACTION' } })
    expect(await run({ action: 'toString' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_ACTION' } })
    expect(await run(null)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(await run({ action: 'echo.me', requestId: 42 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', fields: { requestId: expect.any(String) } },
    })
  })

  it('passes field messages through and hides unexpected errors', async () => {
    expect(await run({ action: 'fail.input' })).toEqual({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: '提交的信息有误，请检查后重试',
        fields: { name: '请填写姓名' },
      },
    })
    const crash = await run({ action: 'fail.crash' })
    expect(crash).toEqual({ ok: false, error: { code: 'INTERNAL', message: '系统繁忙，请稍后再试' } })
    expect(JSON.stringify(crash)).not.toContain('secret')
    expect(silent.error).toHaveBeenCalled()
    expect(new AppError('CONFLICT', 'x').toJSON()).toEqual({ code: 'CONFLICT', message: 'x' })
  })
})
