import * as fs from 'node:fs'
import * as path from 'node:path'
import type { DemoDistrict } from '../../scripts/seed'
import type { Agent, Item, Station } from '../../typings/domain'
import {
  AGENT_HEADERS,
  HEADERS,
  ITEM_HEADERS,
  MAX_IMPORT_ROWS,
  STATION_HEADERS,
  formatErrors,
  toSheet,
  validateSheet,
  type ImportContext,
  type ImportKind,
  type RowError,
} from '../../server/domain/import-rows'

const demo = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../database/demo/district.json'), 'utf8'),
) as DemoDistrict

type Cells = Record<string, string>

/** Header row + data rows in the canonical column order; missing cells are empty. */
function sheet(kind: ImportKind, ...rows: Cells[]): string[][] {
  const headers = HEADERS[kind]
  return [[...headers], ...rows.map((r) => headers.map((h) => r[h] ?? ''))]
}

const NO_CONTEXT: ImportContext = { knownStationCodes: new Set() }

function errorsOf(result: { ok: true } | { ok: false; errors: RowError[] }): RowError[] {
  if (result.ok) throw new Error('expected the sheet to be rejected')
  return result.errors
}

function recordsOf<T>(result: { ok: true; records: T[] } | { ok: false; errors: RowError[] }): T[] {
  if (!result.ok) throw new Error(`expected the sheet to pass:\n${formatErrors(result.errors).join('\n')}`)
  return result.records
}

// ---------------------------------------------------------------------------------------------
// Stations

const district: Cells = {
  编码: 'QH',
  名称: '清河区为民服务中心',
  层级: '区',
  地址: '清河区河滨路88号区政务服务中心三楼',
  纬度: '26.598512',
  经度: '106.607236',
  服务热线: '0851-86218000',
  办公时间: '周一至周五 8:30-12:00，14:00-17:30',
  负责人编号: 'ag-qh-1',
  状态: '在用',
}
const township: Cells = {
  编码: 'QS',
  名称: '青山镇为民服务站',
  层级: '乡镇为民服务站',
  上级编码: 'QH',
  地址: '清河区青山镇青山大道16号镇人民政府便民服务大厅',
  纬度: '26.652304',
  经度: '106.571158',
  服务热线: '0851-86231100',
  办公时间: '周一至周五 8:30-12:00，14:00-17:30',
  负责人编号: 'ag-qs-1',
}
const village: Cells = {
  编码: 'QS-HY',
  名称: '红岩村为民服务室',
  层级: '村',
  上级编码: 'QS',
  地址: '清河区青山镇红岩村村民委员会办公楼一楼',
  纬度: '26.68786',
  经度: '106.585596',
  服务热线: '0851-86231201',
  办公时间: '周一至周五 8:30-12:00，14:00-17:30，周六上午值班',
  负责人编号: '',
  状态: '停用',
}
const community: Cells = {
  编码: 'BY-YF',
  名称: '云峰社区为民服务室',
  层级: '社区',
  上级编码: 'by',
  地址: '清河区白云镇云峰路5号社区综合服务中心',
  纬度: '26.7011',
  经度: '106.5302',
  服务热线: '13985012345',
  办公时间: '周一至周五 9:00-17:00',
}

/** Unique codes and ids for the variations below, so only the intended problem is reported. */
let seq = 0

function stationWith(overrides: Cells): Cells {
  return { ...village, 编码: `QS-V${++seq}`, 名称: '石门村为民服务室', 状态: '', ...overrides }
}

describe('stations', () => {
  it('converts a valid sheet into full Station records', () => {
    const rows = sheet('stations', district, township, village, community)
    const records = recordsOf(validateSheet('stations', rows, { knownStationCodes: new Set(['BY']) }))
    expect(records).toEqual<Station[]>([
      {
        _id: 'st-qh',
        code: 'QH',
        name: '清河区为民服务中心',
        tier: 'district',
        parentId: null,
        address: '清河区河滨路88号区政务服务中心三楼',
        location: { latitude: 26.598512, longitude: 106.607236 },
        hotline: '0851-86218000',
        hours: '周一至周五 8:30-12:00，14:00-17:30',
        headAgentId: 'ag-qh-1',
        active: true,
      },
      {
        _id: 'st-qs',
        code: 'QS',
        name: '青山镇为民服务站',
        tier: 'township',
        parentId: 'st-qh',
        address: '清河区青山镇青山大道16号镇人民政府便民服务大厅',
        location: { latitude: 26.652304, longitude: 106.571158 },
        hotline: '0851-86231100',
        hours: '周一至周五 8:30-12:00，14:00-17:30',
        headAgentId: 'ag-qs-1',
        active: true,
      },
      {
        _id: 'st-qs-hy',
        code: 'QS-HY',
        name: '红岩村为民服务室',
        tier: 'village',
        parentId: 'st-qs',
        address: '清河区青山镇红岩村村民委员会办公楼一楼',
        location: { latitude: 26.68786, longitude: 106.585596 },
        hotline: '0851-86231201',
        hours: '周一至周五 8:30-12:00，14:00-17:30，周六上午值班',
        headAgentId: null,
        active: false,
      },
      {
        _id: 'st-by-yf',
        code: 'BY-YF',
        name: '云峰社区为民服务室',
        tier: 'village',
        parentId: 'st-by',
        address: '清河区白云镇云峰路5号社区综合服务中心',
        location: { latitude: 26.7011, longitude: 106.5302 },
        hotline: '13985012345',
        hours: '周一至周五 9:00-17:00',
        headAgentId: null,
        active: true,
      },
    ])
  })

  it('accepts reordered columns, padded headers and cells, half-width brackets and blank rows', () => {
    const headers = [...STATION_HEADERS].reverse()
    const rows = [
      headers.map((h) => ` ${h} `),
      headers.map(() => ''),
      headers.map((h) =>
        h === '层级' ? '村(社区)' : h === '名称' ? '  红岩村为民服务室\u3000' : (village[h] ?? ''),
      ),
      [],
    ]
    const [record] = recordsOf(validateSheet('stations', rows, { knownStationCodes: new Set(['qs']) }))
    expect(record).toMatchObject({
      _id: 'st-qs-hy',
      name: '红岩村为民服务室',
      tier: 'village',
      parentId: 'st-qs',
    })
  })

  it('reports each field problem with its row and column', () => {
    const rows = sheet(
      'stations',
      district,
      township,
      stationWith({ 编码: 'QS SM' }),
      stationWith({ 名称: '' }),
      stationWith({ 层级: '街道' }),
      stationWith({ 上级编码: '' }),
      { ...district, 编码: 'QH2', 上级编码: 'QS' },
      stationWith({ 上级编码: 'QX' }),
      stationWith({ 纬度: '95.1' }),
      stationWith({ 纬度: '106.58', 经度: '26.68' }),
      stationWith({ 经度: '东经106度' }),
      stationWith({ 服务热线: '86231201' }),
      stationWith({ 负责人编号: 'ag-qs-sm-9' }),
      stationWith({ 状态: '撤销' }),
      stationWith({ 地址: '' }),
    )
    const ctx = { knownStationCodes: new Set<string>(), knownAgentIds: new Set(['ag-qh-1', 'ag-qs-1']) }
    expect(errorsOf(validateSheet('stations', rows, ctx))).toEqual<RowError[]>([
      { row: 4, column: '编码', message: '只能由字母、数字、“-”和“_”组成，最长 30 位' },
      { row: 5, column: '名称', message: '不能为空' },
      { row: 6, column: '层级', message: '应为 区、乡镇 或 村（社区）' },
      { row: 7, column: '上级编码', message: '乡镇、村（社区）须填写上级编码' },
      { row: 8, column: '上级编码', message: '区为民服务中心不填上级编码' },
      { row: 9, column: '上级编码', message: '系统和本表中都没有编码为「QX」的服务站' },
      { row: 10, column: '纬度', message: '应在 3 到 54 之间（中国境内）' },
      { row: 11, column: '纬度', message: '纬度和经度似乎填反了（纬度约 3～54，经度约 73～136）' },
      { row: 12, column: '经度', message: '应为数字（度，如 26.598512）' },
      { row: 13, column: '服务热线', message: '应为“区号-号码”的固定电话或 11 位手机号' },
      { row: 14, column: '负责人编号', message: '花名册中没有编号为「ag-qs-sm-9」的人员' },
      { row: 15, column: '状态', message: '应为 在用 或 停用（不填即在用）' },
      { row: 16, column: '地址', message: '不能为空' },
    ])
  })

  it('checks the three-tier hierarchy when the parent is in the same sheet', () => {
    const rows = sheet(
      'stations',
      // The village comes first: its parent may appear on a later row.
      stationWith({ 编码: 'QS-LJ', 名称: '龙井村为民服务室', 上级编码: 'QS' }),
      district,
      township,
      { ...township, 编码: 'BY', 名称: '白云镇为民服务站', 上级编码: 'QS' },
      stationWith({ 上级编码: 'QH' }),
      stationWith({ 编码: 'QS-WC', 上级编码: 'QS-WC' }),
    )
    expect(errorsOf(validateSheet('stations', rows, NO_CONTEXT))).toEqual<RowError[]>([
      {
        row: 5,
        column: '上级编码',
        message: '乡镇为民服务站的上级应为区为民服务中心，第 4 行的「QS」是乡镇为民服务站',
      },
      {
        row: 6,
        column: '上级编码',
        message: '村（社区）为民服务室的上级应为乡镇为民服务站，第 3 行的「QH」是区为民服务中心',
      },
      { row: 7, column: '上级编码', message: '上级不能是本站自己' },
    ])
  })

  it('accepts a parent known only to the system, whatever its case', () => {
    const rows = sheet('stations', stationWith({ 上级编码: 'qs' }))
    const [record] = recordsOf(validateSheet('stations', rows, { knownStationCodes: new Set(['QS']) }))
    expect(record?.parentId).toBe('st-qs')
  })

  it('reports a duplicate code on its second occurrence, ignoring case', () => {
    const rows = sheet('stations', district, township, village, { ...village, 编码: 'qs-hy' })
    expect(errorsOf(validateSheet('stations', rows, NO_CONTEXT))).toEqual<RowError[]>([
      { row: 5, column: '编码', message: '编码「qs-hy」与第 4 行重复' },
    ])
  })

  it('skips the head check when no roster is given', () => {
    const rows = sheet('stations', district)
    expect(recordsOf(validateSheet('stations', rows, NO_CONTEXT))[0]?.headAgentId).toBe('ag-qh-1')
  })
})

// ---------------------------------------------------------------------------------------------
// Items

const dibao: Cells = {
  编码: 'MZ-001',
  名称: '最低生活保障申请',
  分类: '民政',
  办理层级: '乡镇',
  所需材料: [
    '户口簿（原件）×1：核对后当场退还',
    '居民身份证（复印件）×1：共同生活的家庭成员每人一份',
    '家庭收入证明（原件或复印件）×1：工资、务工、经营等收入；无法提供的可书面如实申报',
    '银行卡（存折）（复印件）×1：申请人本人名下',
  ].join('\n'),
  办理流程: [
    '1. 向村（社区）为民服务室提出申请，代理员协助填写《最低生活保障申请书》并收取材料',
    '2. 代理员将材料报送乡镇社会事务办，乡镇组织入户调查',
    '3. 村（社区）组织民主评议，评议结果公示7天',
    '4. 乡镇人民政府审核确认',
  ].join('\n'),
  '承诺时限（工作日）': '20',
  '法定时限（工作日）': '30',
  收费: '',
  代理方式: '承诺代理',
  责任部门: '乡镇社会事务办、区民政局',
  可上门: '是',
  公开: '是',
  状态: '在用',
  说明: '共同生活的家庭成员人均收入低于本区低保标准的城乡居民可以申请。',
}
const nongbao: Cells = {
  编码: 'XNH-002',
  名称: '城乡居民医保参保登记',
  分类: '新农合',
  办理层级: '村（社区）',
  所需材料: '居民身份证(复印件)x2；近期免冠照片（原件）×2张：白底二寸；户口簿（原件/复印件）',
  办理流程: '代理员收取材料→录入参保信息→（3）打印缴费凭证交给本人',
  '承诺时限（工作日）': '即办',
  收费: '按规定缴纳个人参保费',
  代理方式: '直接代理',
  责任部门: '区医保局, 乡镇社会事务办，村委会',
  可上门: '',
  公开: '否',
  状态: '停用',
}

function itemWith(overrides: Cells): Cells {
  return { ...dibao, 编码: `MZ-1${++seq}`, ...overrides }
}

describe('items', () => {
  it('converts a valid sheet into full Item records', () => {
    const records = recordsOf(validateSheet('items', sheet('items', dibao, nongbao), NO_CONTEXT))
    expect(records).toEqual<Item[]>([
      {
        _id: 'it-MZ-001',
        code: 'MZ-001',
        name: '最低生活保障申请',
        category: '民政',
        tier: 'township',
        materials: [
          { name: '户口簿', form: 'original', count: 1, note: '核对后当场退还' },
          { name: '居民身份证', form: 'copy', count: 1, note: '共同生活的家庭成员每人一份' },
          {
            name: '家庭收入证明',
            form: 'either',
            count: 1,
            note: '工资、务工、经营等收入；无法提供的可书面如实申报',
          },
          { name: '银行卡（存折）', form: 'copy', count: 1, note: '申请人本人名下' },
        ],
        steps: [
          '向村（社区）为民服务室提出申请，代理员协助填写《最低生活保障申请书》并收取材料',
          '代理员将材料报送乡镇社会事务办，乡镇组织入户调查',
          '村（社区）组织民主评议，评议结果公示7天',
          '乡镇人民政府审核确认',
        ],
        promisedDays: 20,
        legalDays: 30,
        fee: '无偿',
        proxyMode: 'promise',
        departments: ['乡镇社会事务办', '区民政局'],
        homeVisit: true,
        published: true,
        active: true,
        description: '共同生活的家庭成员人均收入低于本区低保标准的城乡居民可以申请。',
      },
      {
        _id: 'it-XNH-002',
        code: 'XNH-002',
        name: '城乡居民医保参保登记',
        category: '新农合',
        tier: 'village',
        materials: [
          { name: '居民身份证', form: 'copy', count: 2 },
          { name: '近期免冠照片', form: 'original', count: 2, note: '白底二寸' },
          { name: '户口簿', form: 'either', count: 1 },
        ],
        steps: ['代理员收取材料', '录入参保信息', '打印缴费凭证交给本人'],
        promisedDays: 0,
        fee: '按规定缴纳个人参保费',
        proxyMode: 'direct',
        departments: ['区医保局', '乡镇社会事务办', '村委会'],
        homeVisit: false,
        published: false,
        active: false,
      },
    ])
    expect(records[1]).not.toHaveProperty('legalDays')
    expect(records[1]).not.toHaveProperty('description')
  })

  it('continues a one-line note after "；" but still rejects stray text', () => {
    const ok = itemWith({
      所需材料: '家庭收入证明（原件或复印件）×1：工资等收入；无法提供的可书面申报；户口簿（原件）',
    })
    expect(recordsOf(validateSheet('items', sheet('items', ok), NO_CONTEXT))[0]?.materials).toEqual([
      { name: '家庭收入证明', form: 'either', count: 1, note: '工资等收入；无法提供的可书面申报' },
      { name: '户口簿', form: 'original', count: 1 },
    ])
    const bad = itemWith({ 所需材料: '户口簿（原件）；身份证' })
    expect(errorsOf(validateSheet('items', sheet('items', bad), NO_CONTEXT))).toEqual<RowError[]>([
      {
        row: 2,
        column: '所需材料',
        message: '第 2 项「身份证」应写成「名称（原件/复印件/原件或复印件）×份数：备注」',
      },
    ])
  })

  it('reports each field problem with its row and column', () => {
    const rows = sheet(
      'items',
      dibao,
      itemWith({ 编码: '' }),
      itemWith({ 分类: '社保' }),
      itemWith({ 办理层级: '市' }),
      itemWith({ 所需材料: '户口簿（原件）×1\n居民身份证×1' }),
      itemWith({ 所需材料: '户口簿（原件）×0' }),
      itemWith({ '承诺时限（工作日）': '三天' }),
      itemWith({ '承诺时限（工作日）': '' }),
      itemWith({ '承诺时限（工作日）': '20', '法定时限（工作日）': '15' }),
      itemWith({ 代理方式: '代办' }),
      itemWith({ 责任部门: ' 、 ' }),
      itemWith({ 所需材料: '' }),
      itemWith({ 办理流程: '' }),
      itemWith({ 公开: '' }),
      itemWith({ 可上门: '可以' }),
      itemWith({ 状态: '暂停' }),
      itemWith({ 名称: '最'.repeat(51) }),
    )
    expect(errorsOf(validateSheet('items', rows, NO_CONTEXT))).toEqual<RowError[]>([
      { row: 3, column: '编码', message: '不能为空' },
      {
        row: 4,
        column: '分类',
        message:
          '应为以下分类之一：民政、残联、综治维稳、新农合、医疗救助、计生、土地管理、公益事业、消费者维权、党建群团、劳动保障、国土、工商、税务、行政许可、非行政许可、政策咨询、技术支持、信息提供',
      },
      { row: 5, column: '办理层级', message: '应为 区、乡镇 或 村（社区）' },
      {
        row: 6,
        column: '所需材料',
        message: '第 2 项「居民身份证×1」应写成「名称（原件/复印件/原件或复印件）×份数：备注」',
      },
      { row: 7, column: '所需材料', message: '第 1 项「户口簿」的份数应在 1 到 99 之间' },
      { row: 8, column: '承诺时限（工作日）', message: '应为 0 到 365 的整数（即办填 0）' },
      { row: 9, column: '承诺时限（工作日）', message: '不能为空（当场办结填 0 或“即办”）' },
      { row: 10, column: '法定时限（工作日）', message: '不能短于承诺时限（20 个工作日）' },
      { row: 11, column: '代理方式', message: '应为 直接代理、承诺代理 或 联合代理' },
      { row: 12, column: '责任部门', message: '不能为空' },
      { row: 13, column: '所需材料', message: '公开的事项至少要列出一项材料' },
      { row: 14, column: '办理流程', message: '公开的事项至少要有一个办理步骤' },
      { row: 15, column: '公开', message: '不能为空' },
      { row: 16, column: '可上门', message: '应为 是 或 否（不填即否）' },
      { row: 17, column: '状态', message: '应为 在用 或 停用（不填即在用）' },
      { row: 18, column: '名称', message: '不能超过 50 个字' },
    ])
  })

  it('splits one-line steps by "；" and strips their numbering', () => {
    const row = itemWith({
      办理流程: '①提出申请；②乡镇审核；③送达结果',
      所需材料: '户口簿（原件）:核对后退还',
    })
    const [record] = recordsOf(validateSheet('items', sheet('items', row), NO_CONTEXT))
    expect(record?.steps).toEqual(['提出申请', '乡镇审核', '送达结果'])
    expect(record?.materials).toEqual([{ name: '户口簿', form: 'original', count: 1, note: '核对后退还' }])
  })

  it('lets an unpublished draft go without materials and steps', () => {
    const draft = itemWith({ 所需材料: '', 办理流程: '', 公开: '否' })
    const [record] = recordsOf(validateSheet('items', sheet('items', draft), NO_CONTEXT))
    expect(record).toMatchObject({ materials: [], steps: [], published: false })
  })

  it('reports a duplicate code on its second occurrence', () => {
    const rows = sheet('items', dibao, nongbao, { ...nongbao, 名称: '城乡居民医保参保登记（补录）' })
    expect(errorsOf(validateSheet('items', rows, NO_CONTEXT))).toEqual<RowError[]>([
      { row: 4, column: '编码', message: '编码「XNH-002」与第 3 行重复' },
    ])
  })
})

// ---------------------------------------------------------------------------------------------
// Roster

const AGENT_CONTEXT: ImportContext = { knownStationCodes: new Set(['QH', 'QS', 'QS-HY']) }

const head: Cells = {
  编号: 'ag-qs-hy-1',
  姓名: '杨德明',
  手机: '13908512345',
  服务站编码: 'QS-HY',
  角色: '站长',
  擅长类别: '民政、党建群团，综治维稳',
  身份: '党员',
  职务: '红岩村党支部书记',
  请假: '2026-12-01至2026-12-04 事假；2027-01-05至2027-01-06',
  状态: '在用',
}
const volunteer: Cells = {
  编号: '',
  姓名: '吴晓燕',
  手机: '+86 187 6618 1985',
  服务站编码: 'qs',
  角色: '代理员',
  擅长类别: '',
  身份: '志愿者',
  职务: '',
  请假: '2026/11/30到2026/12/11，参加区委党校培训\n2027-02-03 病假',
  状态: '停用',
}

function agentWith(overrides: Cells): Cells {
  return { ...head, 编号: `ag-qs-hy-${++seq}`, ...overrides }
}

describe('roster', () => {
  it('converts a valid sheet into full Agent records, generating missing ids', () => {
    const records = recordsOf(validateSheet('agents', sheet('agents', head, volunteer), AGENT_CONTEXT))
    expect(records).toEqual<Agent[]>([
      {
        _id: 'ag-qs-hy-1',
        name: '杨德明',
        phone: '13908512345',
        stationId: 'st-qs-hy',
        role: 'head',
        specialties: ['民政', '党建群团', '综治维稳'],
        kind: 'party_member',
        title: '红岩村党支部书记',
        leaves: [
          { from: '2026-12-01', to: '2026-12-04', reason: '事假' },
          { from: '2027-01-05', to: '2027-01-06' },
        ],
        active: true,
      },
      {
        _id: 'ag-qs-3',
        name: '吴晓燕',
        phone: '18766181985',
        stationId: 'st-qs',
        role: 'agent',
        specialties: [],
        kind: 'volunteer',
        leaves: [
          { from: '2026-11-30', to: '2026-12-11', reason: '参加区委党校培训' },
          { from: '2027-02-03', to: '2027-02-03', reason: '病假' },
        ],
        active: false,
      },
    ])
    expect(records[1]).not.toHaveProperty('title')
  })

  it('maps every role', () => {
    const rows = sheet(
      'agents',
      agentWith({ 编号: 'ag-1', 角色: '代理员' }),
      agentWith({ 编号: 'ag-2', 角色: '站长' }),
      agentWith({ 编号: 'ag-3', 角色: '督查' }),
      agentWith({ 编号: 'ag-4', 角色: '管理员' }),
    )
    expect(recordsOf(validateSheet('agents', rows, AGENT_CONTEXT)).map((a) => a.role)).toEqual([
      'agent',
      'head',
      'supervisor',
      'admin',
    ])
  })

  it('reports each field problem with its row and column', () => {
    const rows = sheet(
      'agents',
      head,
      agentWith({ 手机: '1390851234' }),
      agentWith({ 手机: '0851-86231201' }),
      agentWith({ 服务站编码: 'BY-YF' }),
      agentWith({ 服务站编码: '' }),
      agentWith({ 角色: '村支书' }),
      agentWith({ 擅长类别: '民政、社保、医保' }),
      agentWith({ 身份: '群众' }),
      agentWith({ 请假: '12月1日至12月4日' }),
      agentWith({ 请假: '2026-02-30至2026-03-02 事假' }),
      agentWith({ 请假: '2026-12-04至2026-12-01' }),
      agentWith({ 编号: 'ag qs 9' }),
      agentWith({ 姓名: '' }),
      agentWith({ 状态: '离职' }),
    )
    expect(errorsOf(validateSheet('agents', rows, AGENT_CONTEXT))).toEqual<RowError[]>([
      { row: 3, column: '手机', message: '应为 11 位手机号' },
      { row: 4, column: '手机', message: '应为 11 位手机号' },
      { row: 5, column: '服务站编码', message: '没有编码为「BY-YF」的服务站，请先导入服务站' },
      { row: 6, column: '服务站编码', message: '不能为空' },
      { row: 7, column: '角色', message: '应为 代理员、站长、督查 或 管理员' },
      {
        row: 8,
        column: '擅长类别',
        message:
          '「社保、医保」不是事项分类，分类有：民政、残联、综治维稳、新农合、医疗救助、计生、土地管理、公益事业、消费者维权、党建群团、劳动保障、国土、工商、税务、行政许可、非行政许可、政策咨询、技术支持、信息提供',
      },
      { row: 9, column: '身份', message: '应为 党员 或 志愿者' },
      {
        row: 10,
        column: '请假',
        message: '「12月1日至12月4日」应写成「2026-12-01至2026-12-04 事假」，多段用“；”分隔',
      },
      { row: 11, column: '请假', message: '「2026-02-30」不是有效日期' },
      { row: 12, column: '请假', message: '「2026-12-04至2026-12-01」的结束日期早于开始日期' },
      { row: 13, column: '编号', message: '只能由字母、数字、“-”和“_”组成，最长 64 位' },
      { row: 14, column: '姓名', message: '不能为空' },
      { row: 15, column: '状态', message: '应为 在用 或 停用（不填即在用）' },
    ])
  })

  it('reports duplicate ids, given or generated, on the second occurrence', () => {
    const rows = sheet(
      'agents',
      head,
      agentWith({ 编号: 'ag-qs-4', 服务站编码: 'QS' }),
      agentWith({ 编号: '', 服务站编码: 'QS' }),
      agentWith({ 编号: 'ag-qs-hy-1', 姓名: '杨德明（重复）' }),
    )
    expect(errorsOf(validateSheet('agents', rows, AGENT_CONTEXT))).toEqual<RowError[]>([
      { row: 4, column: '编号', message: '自动生成的编号「ag-qs-4」与第 3 行重复，请填写编号' },
      { row: 5, column: '编号', message: '编号「ag-qs-hy-1」与第 2 行重复' },
    ])
  })
})

// ---------------------------------------------------------------------------------------------
// Whole sheet

describe('sheet checks', () => {
  it('imports nothing when one row among good ones is bad, and reports only that row', () => {
    const rows = sheet(
      'agents',
      head,
      agentWith({ 编号: 'ag-qs-hy-2', 姓名: '王秀英' }),
      agentWith({ 编号: 'ag-qs-hy-3', 姓名: '石光荣', 手机: '1390851', 身份: '群众' }),
      agentWith({ 编号: 'ag-qs-hy-4', 姓名: '李桂兰' }),
    )
    const result = validateSheet('agents', rows, AGENT_CONTEXT)
    expect(result).toEqual({
      ok: false,
      errors: [
        { row: 4, column: '手机', message: '应为 11 位手机号' },
        { row: 4, column: '身份', message: '应为 党员 或 志愿者' },
      ],
    })
    expect(result).not.toHaveProperty('records')
  })

  it('reports missing, unknown and repeated columns on row 1', () => {
    const header = AGENT_HEADERS.filter((h) => h !== '手机' && h !== '身份')
    const rows = [[...header, '备注', '姓名'], header.map((h) => head[h] ?? '')]
    expect(errorsOf(validateSheet('agents', rows, AGENT_CONTEXT))).toEqual<RowError[]>([
      { row: 1, column: '备注', message: `无法识别的列，本表的列为：${AGENT_HEADERS.join('、')}` },
      { row: 1, column: '姓名', message: '列名重复' },
      { row: 1, column: '手机', message: '缺少此列' },
      { row: 1, column: '身份', message: '缺少此列' },
    ])
  })

  it('lets optional columns be left out', () => {
    const header = ITEM_HEADERS.filter(
      (h) => !['法定时限（工作日）', '收费', '可上门', '状态', '说明'].includes(h),
    )
    const rows = [header, header.map((h) => dibao[h] ?? '')]
    const [record] = recordsOf(validateSheet('items', rows, NO_CONTEXT))
    expect(record).toMatchObject({ fee: '无偿', homeVisit: false, active: true })
    expect(record).not.toHaveProperty('legalDays')
    expect(record).not.toHaveProperty('description')
  })

  it('rejects a sheet of another kind by its header', () => {
    const errors = errorsOf(validateSheet('stations', sheet('agents', head), NO_CONTEXT))
    expect(errors.every((e) => e.row === 1)).toBe(true)
    expect(errors.filter((e) => e.message === '缺少此列').map((e) => e.column)).toEqual([
      '编码',
      '名称',
      '层级',
      '上级编码',
      '地址',
      '纬度',
      '经度',
      '服务热线',
      '办公时间',
    ])
  })

  it('rejects an empty sheet and a sheet without data rows', () => {
    expect(errorsOf(validateSheet('items', [], NO_CONTEXT))).toEqual<RowError[]>([
      { row: 1, column: '', message: `第 1 行应为表头：${ITEM_HEADERS.join('、')}` },
    ])
    expect(errorsOf(validateSheet('items', [[...ITEM_HEADERS], ['', ' ']], NO_CONTEXT))).toEqual<RowError[]>([
      { row: 2, column: '', message: '表中没有数据行' },
    ])
  })

  it(`accepts ${MAX_IMPORT_ROWS} data rows and rejects more with a single error`, () => {
    const agents = (n: number): Cells[] =>
      Array.from({ length: n }, (_, i) => agentWith({ 编号: `ag-qs-${i + 1}`, 服务站编码: 'QS', 请假: '' }))
    expect(
      recordsOf(validateSheet('agents', sheet('agents', ...agents(MAX_IMPORT_ROWS)), AGENT_CONTEXT)),
    ).toHaveLength(MAX_IMPORT_ROWS)
    const tooMany = sheet('agents', ...agents(MAX_IMPORT_ROWS + 5))
    tooMany.splice(
      1,
      0,
      AGENT_HEADERS.map(() => ''),
    )
    expect(errorsOf(validateSheet('agents', tooMany, AGENT_CONTEXT))).toEqual<RowError[]>([
      { row: 5003, column: '', message: '共 5005 行数据，每次最多导入 5000 行，请分批导入' },
    ])
  })

  it('formats errors for the report', () => {
    expect(
      formatErrors([
        { row: 5, column: '手机', message: '应为 11 位手机号' },
        { row: 7, column: '', message: '表中没有数据行' },
      ]),
    ).toEqual(['第 5 行「手机」：应为 11 位手机号', '第 7 行：表中没有数据行'])
  })
})

// ---------------------------------------------------------------------------------------------
// Export → import

describe('round trip', () => {
  const stations: Station[] = [
    {
      _id: 'st-by',
      code: 'BY',
      name: '白云镇为民服务站',
      tier: 'township',
      parentId: 'st-qh',
      address: '清河区白云镇白云路1号',
      location: { latitude: 26.7, longitude: 106.53 },
      hotline: '0851-86242100',
      hours: '周一至周五 8:30-12:00，14:00-17:30',
      headAgentId: 'ag-by-1',
      active: true,
    },
    {
      _id: 'st-by-yf',
      code: 'BY-YF',
      name: '云峰社区为民服务室',
      tier: 'village',
      parentId: 'st-by',
      address: '清河区白云镇云峰路5号',
      location: { latitude: 26.7011, longitude: 106.5302 },
      hotline: '13985012345',
      hours: '周一至周五 9:00-17:00',
      headAgentId: null,
      active: false,
    },
  ]

  it('round-trips stations', () => {
    const rows = toSheet('stations', stations)
    expect(rows[0]).toEqual([...STATION_HEADERS])
    expect(rows[1]).toEqual([
      'BY',
      '白云镇为民服务站',
      '乡镇',
      'QH',
      '清河区白云镇白云路1号',
      '26.7',
      '106.53',
      '0851-86242100',
      '周一至周五 8:30-12:00，14:00-17:30',
      'ag-by-1',
      '在用',
    ])
    expect(recordsOf(validateSheet('stations', rows, { knownStationCodes: new Set(['QH']) }))).toEqual(
      stations,
    )
  })

  it('round-trips items, notes and steps containing "；" included', () => {
    const items = recordsOf(validateSheet('items', sheet('items', dibao, nongbao), NO_CONTEXT))
    const rows = toSheet('items', items)
    expect(rows[2]?.[4]).toBe(
      '居民身份证（复印件）×2\n近期免冠照片（原件）×2：白底二寸\n户口簿（原件或复印件）×1',
    )
    expect(rows[2]?.[6]).toBe('即办')
    expect(recordsOf(validateSheet('items', rows, NO_CONTEXT))).toEqual(items)
  })

  it('round-trips agents', () => {
    const agents = recordsOf(validateSheet('agents', sheet('agents', head, volunteer), AGENT_CONTEXT))
    const rows = toSheet('agents', agents)
    expect(rows[1]?.[8]).toBe('2026-12-01至2026-12-04 事假；2027-01-05至2027-01-06')
    expect(rows[2]?.[3]).toBe('QS')
    expect(recordsOf(validateSheet('agents', rows, AGENT_CONTEXT))).toEqual(agents)
  })

  it('round-trips the whole demo district', () => {
    const codeById = new Map(demo.stations.map((s) => [s._id, s.code]))
    const idOf = (id: string): string => `st-${(codeById.get(id) ?? '').toLowerCase()}`
    const ctx: ImportContext = {
      knownStationCodes: new Set(demo.stations.map((s) => s.code)),
      knownAgentIds: new Set(demo.agents.map((a) => a._id)),
    }

    const items = recordsOf(validateSheet('items', toSheet('items', demo.items), ctx))
    expect(items).toEqual(demo.items)

    const stations = recordsOf(validateSheet('stations', toSheet('stations', demo.stations), ctx))
    expect(stations).toEqual(
      demo.stations.map((s) => ({ ...s, _id: idOf(s._id), parentId: s.parentId && idOf(s.parentId) })),
    )

    const agentRows = toSheet('agents', demo.agents, { stationCodes: codeById })
    const agents = recordsOf(validateSheet('agents', agentRows, ctx))
    expect(agents).toEqual(demo.agents.map((a) => ({ ...a, stationId: idOf(a.stationId) })))
  })
})
