import { parse, z } from '../../server/lib/validate'

const fieldsOf = (schema: z.ZodType, payload: unknown): Record<string, string> => {
  try {
    parse(schema, payload)
  } catch (err) {
    return (err as { fields: Record<string, string> }).fields
  }
  throw new Error('expected INVALID_INPUT')
}

describe('validation messages', () => {
  const schema = z.object({
    count: z.number(),
    name: z.string(),
    tags: z.array(z.string()),
    version: z.number({ error: '缺少版本号，请刷新后重试' }),
  })

  it('words wrong types and missing fields in Chinese only, keeping messages a schema words itself', () => {
    expect(fieldsOf(schema, { count: 'x', tags: 1, version: 'v' })).toEqual({
      count: '应为数字',
      name: '必填',
      tags: '应为列表',
      version: '缺少版本号，请刷新后重试',
    })
  })

  it('says a number out of range (1e400 parses to Infinity) whatever the schema words', () => {
    expect(fieldsOf(schema, JSON.parse('{"count":1e400,"name":"a","tags":[],"version":-1e400}'))).toEqual({
      count: '数值超出范围',
      version: '数值超出范围',
    })
  })
})
