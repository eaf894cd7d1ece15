/** The part of uCharts (@qiun/ucharts, vendored by scripts/build.js) the chart component uses. */
declare class UCharts {
  constructor(opts: Record<string, unknown>)
  updateData(data: Record<string, unknown>): void
  showToolTip(e: unknown, opts?: Record<string, unknown>): void
}
export default UCharts
