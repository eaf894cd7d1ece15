import * as fs from 'node:fs'
import * as path from 'node:path'
import { createHmac, randomBytes } from 'node:crypto'
import type Database from 'better-sqlite3'

/**
 * Cloud storage on disk: `<dataDir>/storage/<cloudPath>`, with a row per file in SQLite.
 * File IDs look like the platform's: `cloud://<env>.<bucket>/<cloudPath>`.
 */
export class FileStorage {
  private readonly dir: string
  private readonly secret = randomBytes(16)
  private readonly uploadTokens = new Map<string, { path: string; expires: number; owner: string | null }>()

  constructor(
    private readonly db: Database.Database,
    dataDir: string,
    private readonly envId: string,
  ) {
    this.dir = path.join(dataDir, 'storage')
    fs.mkdirSync(this.dir, { recursive: true })
    db.exec(
      `CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, created_at INTEGER NOT NULL)`,
    )
    // The uploader's openid (null for admin/script uploads): storage rules let only them write.
    const cols = db.prepare<[], { name: string }>('PRAGMA table_info(files)').all()
    if (!cols.some((c) => c.name === 'owner')) db.exec('ALTER TABLE files ADD COLUMN owner TEXT')
  }

  get bucketPrefix(): string {
    return `cloud://${this.envId}.${this.envId}-1250000000/`
  }

  fileId(cloudPath: string): string {
    return this.bucketPrefix + cloudPath
  }

  /** Cloud path of a file ID, or null if it is not one of ours. */
  pathOf(fileId: string): string | null {
    if (!fileId.startsWith(this.bucketPrefix)) return null
    const p = fileId.slice(this.bucketPrefix.length)
    return validPath(p) ? p : null
  }

  beginUpload(cloudPath: string, now: number, owner: string | null = null): string {
    if (!validPath(cloudPath)) throw new Error('invalid cloud path')
    const token = randomBytes(12).toString('hex')
    this.uploadTokens.set(token, { path: cloudPath, expires: now + 15 * 60_000, owner })
    return token
  }

  /** Stores the bytes of an upload started with `beginUpload`; write-then-rename so no half file is seen. */
  completeUpload(token: string, bytes: Buffer, now: number): string {
    const up = this.uploadTokens.get(token)
    if (!up || up.expires < now) throw new Error('upload token invalid or expired')
    this.uploadTokens.delete(token)
    this.put(up.path, bytes, now, up.owner)
    return up.path
  }

  put(cloudPath: string, bytes: Buffer, now: number, owner: string | null = null): void {
    if (!validPath(cloudPath)) throw new Error('invalid cloud path')
    const file = path.join(this.dir, cloudPath)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`
    fs.writeFileSync(tmp, bytes)
    fs.renameSync(tmp, file)
    this.db
      .prepare(
        'INSERT INTO files (path, size, created_at, owner) VALUES (?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET size = excluded.size, created_at = excluded.created_at, owner = excluded.owner',
      )
      .run(cloudPath, bytes.length, now, owner)
  }

  exists(cloudPath: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM files WHERE path = ?').get(cloudPath)
  }

  owner(cloudPath: string): string | null {
    return (
      this.db
        .prepare<[string], { owner: string | null }>('SELECT owner FROM files WHERE path = ?')
        .get(cloudPath)?.owner ?? null
    )
  }

  read(cloudPath: string): Buffer | null {
    if (!this.exists(cloudPath)) return null
    return fs.readFileSync(path.join(this.dir, cloudPath))
  }

  remove(cloudPath: string): boolean {
    const res = this.db.prepare('DELETE FROM files WHERE path = ?').run(cloudPath)
    fs.rmSync(path.join(this.dir, cloudPath), { force: true })
    return res.changes > 0
  }

  list(limit = 100, offset = 0): { path: string; size: number; created_at: number }[] {
    return this.db
      .prepare<[number, number], { path: string; size: number; created_at: number }>(
        'SELECT path, size, created_at FROM files ORDER BY created_at DESC LIMIT ? OFFSET ?',
      )
      .all(limit, offset)
  }

  /** A temporary URL: HMAC-signed path and expiry (clock time). */
  sign(cloudPath: string, expires: number): string {
    const sig = createHmac('sha256', this.secret)
      .update(`${cloudPath}\n${expires}`)
      .digest('hex')
      .slice(0, 32)
    // Raw path: the SDK applies encodeURI itself before downloading.
    return `${cloudPath}?t=${expires}&sign=${sig}`
  }

  verify(cloudPath: string, expires: number, sign: string, now: number): boolean {
    const sig = createHmac('sha256', this.secret)
      .update(`${cloudPath}\n${expires}`)
      .digest('hex')
      .slice(0, 32)
    return sig === sign && expires >= now
  }
}

function validPath(p: string): boolean {
  return (
    !!p &&
    p.length <= 512 &&
    !p.startsWith('/') &&
    !p.split('/').some((s) => s === '..' || s === '.' || s === '')
  )
}
