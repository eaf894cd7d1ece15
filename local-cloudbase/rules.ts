/**
 * Security rules, evaluated the way the platform does for requests from the mini-program side
 * (uploads, downloads, client-side database calls): functions reach the TCB API with admin
 * rights and are never subject to them.
 *
 * - Rules are stored per collection and for storage (the deploy's Local CloudBase applier sets
 *   them from database/definition.json and database/storage.rules.json). Without a rule the
 *   platform's defaults apply: a collection is readable and writable by the creator of each
 *   document (`doc._openid == auth.openid`); storage is readable by all and writable by the
 *   creator of each file.
 * - Expressions: `==`, `!=`, `<`, `<=`, `>`, `>=`, `&&`, `||`, `!`, parentheses, string, number,
 *   true/false/null literals, and paths over `auth`, `doc`, `resource`, `request`, `now`.
 *   Anything else (e.g. `get()`) is not evaluated here and denies.
 * - A client query must be a subset of the rule: `doc` is what the query pins by equality, so a
 *   rule `doc._openid == auth.openid` admits only queries that ask for the caller's own documents.
 * - Each uploaded file records its creator (`resource.openid`) in its own table.
 *
 * The client routes that apply them are the gateway's (surfaces/gateway.ts).
 */
import type Database from 'better-sqlite3'

export type RuleValue = boolean | string
export type Rule = Partial<Record<'read' | 'write' | 'create' | 'update' | 'delete', RuleValue>>

export const DEFAULT_COLLECTION_RULE: Rule = {
  read: 'doc._openid == auth.openid',
  write: 'doc._openid == auth.openid',
}
export const DEFAULT_STORAGE_RULE: Rule = { read: true, write: 'resource.openid == auth.openid' }

// ---- expressions ---------------------------------------------------------------------------

type Tok = { t: 'op' | 'str' | 'num' | 'id'; v: string }

function tokenize(src: string): Tok[] {
  const out: Tok[] = []
  const re =
    /\s*(?:(==|!=|<=|>=|&&|\|\||[()!<>.[\]])|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(\d+(?:\.\d+)?)|([A-Za-z_$][\w$]*))/y
  let i = 0
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break
    re.lastIndex = i
    const m = re.exec(src)
    if (!m) throw new Error(`cannot parse rule at ${i}: ${src}`)
    i = re.lastIndex
    if (m[1]) out.push({ t: 'op', v: m[1] })
    else if (m[2] !== undefined) out.push({ t: 'str', v: m[2] })
    else if (m[3] !== undefined) out.push({ t: 'str', v: m[3] })
    else if (m[4]) out.push({ t: 'num', v: m[4] })
    else out.push({ t: 'id', v: m[5]! })
  }
  return out
}

/** Evaluates a rule expression; throws on anything it does not understand (the caller denies). */
export function evaluate(expr: string, vars: Record<string, unknown>): boolean {
  const toks = tokenize(expr)
  let p = 0
  const peek = () => toks[p]
  const take = (v?: string) => {
    const t = toks[p++]
    if (!t || (v !== undefined && t.v !== v)) throw new Error(`rule: expected ${v ?? 'a token'} in ${expr}`)
    return t
  }
  const primary = (): unknown => {
    const t = take()
    if (t.t === 'op' && t.v === '(') {
      const v = or()
      take(')')
      return v
    }
    if (t.t === 'op' && t.v === '!') return !truthy(primary())
    if (t.t === 'str') return t.v
    if (t.t === 'num') return Number(t.v)
    if (t.t !== 'id') throw new Error(`rule: unexpected ${t.v}`)
    if (t.v === 'true') return true
    if (t.v === 'false') return false
    if (t.v === 'null') return null
    if (!(t.v in vars)) throw new Error(`rule: unknown variable ${t.v}`)
    let v: unknown = vars[t.v]
    for (;;) {
      const n = peek()
      if (n?.t === 'op' && n.v === '.') {
        p++
        v = member(v, take().v)
      } else if (n?.t === 'op' && n.v === '[') {
        p++
        v = member(v, String(primaryValue(take())))
        take(']')
      } else if (n?.t === 'op' && n.v === '(')
        throw new Error('rule: function calls are not evaluated locally')
      else return v
    }
  }
  const primaryValue = (t: Tok) => (t.t === 'num' ? Number(t.v) : t.v)
  const cmp = (): unknown => {
    const a = primary()
    const n = peek()
    if (n?.t !== 'op' || !['==', '!=', '<', '<=', '>', '>='].includes(n.v)) return a
    p++
    const b = primary()
    switch (n.v) {
      case '==':
        return a !== undefined && a === b
      case '!=':
        return a !== b
      case '<':
        return (a as number) < (b as number)
      case '<=':
        return (a as number) <= (b as number)
      case '>':
        return (a as number) > (b as number)
      default:
        return (a as number) >= (b as number)
    }
  }
  const and = (): unknown => {
    let v = cmp()
    while (peek()?.v === '&&') {
      p++
      const r = cmp()
      v = truthy(v) && truthy(r)
    }
    return v
  }
  const or = (): unknown => {
    let v = and()
    while (peek()?.v === '||') {
      p++
      const r = and()
      v = truthy(v) || truthy(r)
    }
    return v
  }
  const v = or()
  if (p !== toks.length) throw new Error(`rule: trailing input in ${expr}`)
  return v === true
}

const truthy = (v: unknown) => v === true
function member(v: unknown, k: string): unknown {
  return v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined
}

export function allows(rule: RuleValue | undefined, vars: Record<string, unknown>): boolean {
  if (rule === undefined || rule === false) return false
  if (rule === true) return true
  try {
    return evaluate(rule, vars)
  } catch {
    return false
  }
}

// ---- the rules store -------------------------------------------------------------------------

export class ClientRules {
  constructor(private readonly db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS security_rules (kind TEXT NOT NULL, name TEXT NOT NULL, rule TEXT NOT NULL,
      PRIMARY KEY (kind, name)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS file_owners (path TEXT PRIMARY KEY, openid TEXT NOT NULL) WITHOUT ROWID;`)
  }

  /** The collection's rule as set, or null (the platform default applies). */
  collectionRule(name: string): Rule | null {
    return this.read('collection', name)
  }

  storageRule(): Rule | null {
    return this.read('storage', '')
  }

  setCollectionRule(name: string, rule: Rule): void {
    this.write('collection', name, rule)
  }

  setStorageRule(rule: Rule): void {
    this.write('storage', '', rule)
  }

  private read(kind: string, name: string): Rule | null {
    const r = this.db
      .prepare<[string, string], { rule: string }>(
        'SELECT rule FROM security_rules WHERE kind = ? AND name = ?',
      )
      .get(kind, name)
    return r ? (JSON.parse(r.rule) as Rule) : null
  }

  private write(kind: string, name: string, rule: Rule): void {
    this.db
      .prepare(
        'INSERT INTO security_rules (kind, name, rule) VALUES (?, ?, ?) ON CONFLICT(kind, name) DO UPDATE SET rule = excluded.rule',
      )
      .run(kind, name, JSON.stringify(rule))
  }

  ownerOf(path: string): string | null {
    return (
      this.db.prepare<[string], { openid: string }>('SELECT openid FROM file_owners WHERE path = ?').get(path)
        ?.openid ?? null
    )
  }

  setOwner(path: string, openid: string): void {
    this.db
      .prepare(
        'INSERT INTO file_owners (path, openid) VALUES (?, ?) ON CONFLICT(path) DO UPDATE SET openid = excluded.openid',
      )
      .run(path, openid)
  }

  /** May `openid` read or write the file at `path` from the client? */
  storageAllows(op: 'read' | 'write', openid: string, path: string, exists: boolean): boolean {
    const rule = this.storageRule() ?? DEFAULT_STORAGE_RULE
    // A new file's creator is the uploader; an existing file keeps its creator (functions' own
    // uploads have none, so the creator rule never opens them to a client).
    const owner = exists ? (this.ownerOf(path) ?? '') : openid
    return allows(rule[op], { auth: { openid }, resource: { openid: owner, path }, now: Date.now() })
  }

  /** May `openid` run this client-side database action? `doc` per the subset rule (see above). */
  databaseAllows(
    collection: string,
    action: string,
    openid: string,
    doc: Record<string, unknown>,
    data?: unknown,
  ): boolean {
    const rule = this.collectionRule(collection) ?? DEFAULT_COLLECTION_RULE
    const op =
      action === 'database.insertDocument'
        ? (rule.create ?? rule.write)
        : action === 'database.modifyDocument' || action === 'database.modifyAndReturnDoc'
          ? (rule.update ?? rule.write)
          : action === 'database.removeDocument'
            ? (rule.delete ?? rule.write)
            : rule.read
    return allows(op, { auth: { openid }, doc, request: { data }, now: Date.now() })
  }
}

/** What a query pins by equality (top-level fields): the `doc` a rule sees for a client query. */
export function pinned(query: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(query)) {
    if (v === null || typeof v !== 'object') out[k] = v
    else if ('$eq' in (v as object) && Object.keys(v as object).length === 1)
      out[k] = (v as { $eq: unknown }).$eq
  }
  return out
}
