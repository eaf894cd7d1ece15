/**
 * Dates as residents read them, in Shanghai time whatever the phone's zone: 12月21日（周一）.
 * One format on every page (the pages used to mix 2026-12-21 and 11月24日).
 */
import { shanghaiDay, SHANGHAI_OFFSET_MS } from './vocabulary'

export { shanghaiDay }

const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六']
const pad = (n: number) => String(n).padStart(2, '0')

/** "2026-12-21" → "12月21日（周一）". */
export function dayLabel(day: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day ?? '')
  if (!m) return ''
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日（${WEEKDAYS[d.getUTCDay()]}）`
}

/** Dates inside a sentence read as on the rest of the page: "2026-12-21 10:05" → "12月21日 10:05". */
export function plainDates(text: string): string {
  return text.replace(
    /(\d{4})-(\d{2})-(\d{2})/g,
    (_, _y: string, m: string, d: string) => `${Number(m)}月${Number(d)}日`,
  )
}

/** An instant → "12月21日（周一）10:05". */
export function whenLabel(iso: string): string {
  const d = new Date(Date.parse(iso) + SHANGHAI_OFFSET_MS)
  return `${dayLabel(shanghaiDay(iso))} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
}
