/**
 * One font out of a TrueType collection (.ttc) as a standalone .ttf: the PDF library reads single
 * fonts only, and the freely licensed CJK fonts ship as collections. Copies font `index`'s tables
 * into a new file with a fresh table directory (offsets rewritten, 4-byte aligned).
 */
export function fontFromCollection(ttc: Buffer, index = 0): Buffer {
  if (ttc.toString('latin1', 0, 4) !== 'ttcf') return ttc // already a single font
  const count = ttc.readUInt32BE(8)
  if (index >= count) throw new Error(`font ${index} not in collection of ${count}`)
  const dir = ttc.readUInt32BE(12 + 4 * index)
  const numTables = ttc.readUInt16BE(dir + 4)
  const tables = Array.from({ length: numTables }, (_, i) => {
    const at = dir + 12 + 16 * i
    return {
      tag: ttc.subarray(at, at + 4),
      checksum: ttc.readUInt32BE(at + 4),
      offset: ttc.readUInt32BE(at + 8),
      length: ttc.readUInt32BE(at + 12),
    }
  })
  const headerSize = 12 + 16 * numTables
  let size = headerSize
  for (const t of tables) size += (t.length + 3) & ~3
  const out = Buffer.alloc(size)
  ttc.copy(out, 0, dir, dir + 12) // sfnt version, numTables, searchRange, entrySelector, rangeShift
  let offset = headerSize
  tables.forEach((t, i) => {
    const at = 12 + 16 * i
    t.tag.copy(out, at)
    out.writeUInt32BE(t.checksum, at + 4)
    out.writeUInt32BE(offset, at + 8)
    out.writeUInt32BE(t.length, at + 12)
    ttc.copy(out, offset, t.offset, t.offset + t.length)
    offset += (t.length + 3) & ~3
  })
  return out
}
