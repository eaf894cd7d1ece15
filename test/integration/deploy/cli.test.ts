/** npm run deploy's command line: the offline plan, and the settings it names when they are missing. */
import { main } from '../../../scripts/deploy/cli'
import { cloudCredentials } from '../../../scripts/deploy/env'
import { SYSTEM_PRINT_FONT } from '../../../scripts/deploy/project'
import { ROOT } from '../../helpers/local-cloudbase'

describe('npm run deploy', () => {
  let log: jest.SpyInstance
  beforeEach(() => (log = jest.spyOn(console, 'log').mockImplementation(() => {})))
  afterEach(() => log.mockRestore())

  it('prints the whole plan offline, without credentials', async () => {
    await expect(
      main(
        [
          '--plan',
          '--district',
          'demo',
          '--templates',
          'database/demo/templates.json',
          '--font',
          SYSTEM_PRINT_FONT,
        ],
        ROOT,
      ),
    ).resolves.toBe(0)
    const out = log.mock.calls.map((c) => String(c[0])).join('\n')
    expect(out).toMatch(/离线.*98 项操作/)
    expect(out).toMatch(
      /上传打印字体 .*wqy-microhei\.ttc（\d+\.\d MB，[0-9a-f]{16}）到云存储 fonts\/wqy-microhei\.ttc/,
    )
    expect(out).toMatch(/创建索引 agents\.openid_unique\(openid, 唯一, 稀疏\)/)
    expect(out).toMatch(/为第一位管理员 ag-qh-7 生成一次性邀请码/)
  })

  it('refuses to deploy without ENV_ID and keys, naming each', async () => {
    await expect(main([], ROOT)).rejects.toThrow(
      /ENV_ID[\s\S]*TENCENTCLOUD_SECRETID[\s\S]*TENCENTCLOUD_SECRETKEY/,
    )
    expect(
      cloudCredentials({ ENV_ID: 'Bad Env!', TENCENTCLOUD_SECRETID: 'a', TENCENTCLOUD_SECRETKEY: 'b' }),
    ).toEqual({
      missing: [expect.stringMatching(/ENV_ID「Bad Env!」格式不对/)],
    })
  })

  it('refuses unknown options and a template file that is not there', async () => {
    await expect(main(['--plna'], ROOT)).rejects.toThrow(/未知参数 --plna/)
    await expect(main(['--plan', '--templates', 'nope.json'], ROOT)).rejects.toThrow(
      /找不到订阅消息模板映射文件/,
    )
    await expect(main(['--plan', '--font', 'README.md'], ROOT)).rejects.toThrow(/打印字体不是 TrueType 字体/)
    await expect(main(['--plan', '--font', 'nope.ttc'], ROOT)).rejects.toThrow(/找不到打印字体/)
  })
})
