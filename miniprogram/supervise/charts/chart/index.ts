import UCharts from '../u-charts'
import type { ChartOptions } from '../options'

type Self = WechatMiniprogram.Component.TrivialInstance & { chart?: UCharts | null }

/**
 * A uCharts chart on a 2d canvas: give it the options from ../options.ts; it draws at the
 * canvas's laid-out size and pixel ratio, redraws when the options change, and shows the values
 * of a tapped point. The options also go on the canvas as data-chart (the screenshots draw them
 * with the same library; canvas draws nothing in the page tests).
 */
Component({
  properties: {
    opts: { type: Object, value: {} },
    /** Height in px (the width is the container's). */
    height: { type: Number, value: 220 },
  },
  data: { json: '', summary: '' },
  observers: {
    opts(this: Self, opts: ChartOptions) {
      if (!opts || !opts.type) return
      this.setData({ json: JSON.stringify(opts), summary: opts.summary })
      this.draw(opts)
    },
  },
  lifetimes: {
    detached(this: Self) {
      this.chart = null
    },
  },
  methods: {
    draw(this: Self, opts: ChartOptions) {
      this.createSelectorQuery()
        .select('.canvas')
        .fields({ node: true, size: true })
        .exec((res: { node?: WechatMiniprogram.Canvas; width: number; height: number }[] | null) => {
          const box = res?.[0]
          // No canvas node (the page tests, an old base library): the summary line stays.
          if (!box?.node || !box.width) return
          const canvas = box.node
          const ratio = wx.getWindowInfo ? wx.getWindowInfo().pixelRatio : wx.getSystemInfoSync().pixelRatio
          canvas.width = box.width * ratio
          canvas.height = box.height * ratio
          const { summary: _summary, ...chart } = opts
          this.chart = new UCharts({
            ...chart,
            context: canvas.getContext('2d'),
            width: box.width * ratio,
            height: box.height * ratio,
            pixelRatio: ratio,
            animation: false,
            background: '#FFFFFF',
          })
        })
    },
    onTap(this: Self, e: WechatMiniprogram.TouchEvent) {
      this.chart?.showToolTip(e)
    },
  },
})
