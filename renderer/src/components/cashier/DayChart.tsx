import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

import type { DayReportView } from '../../../../shared/payouts'
import { useApp } from '../../app-context'
import { CHART_GROUPS, hourSeries } from './report-model'
import type { ChartGroup } from './report-model'

const GROUP_COLOUR: Record<ChartGroup, string> = {
  succeeded: '--ok',
  pending: '--info',
  failed: '--bad',
  declined: '--muted'
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888'
}

/**
 * The day's payouts per hour, stacked by state. uPlot draws series in order, so the
 * tallest (cumulative) one goes first and each lower group paints over it. Loaded lazily
 * by the Report page so uPlot stays out of the main bundle.
 */
export default function DayChart({ byHour }: { byHour: DayReportView['byHour'] }): React.JSX.Element {
  const { t } = useTranslation()
  const box = useRef<HTMLDivElement>(null)
  const label = t('cashier.report.chartLabel')
  // Colours come from the theme's CSS variables: redraw when the theme changes.
  const theme = useApp().settings.theme

  useEffect(() => {
    const el = box.current
    if (!el) return
    // The theme's variables are applied by App's effect, which runs after this one: draw next frame.
    let plot: uPlot | null = null
    let ro: ResizeObserver | null = null
    const raf = window.requestAnimationFrame(() => {
      const s = hourSeries(byHour)
      const order = [...CHART_GROUPS].reverse()
      const bars = uPlot.paths.bars?.({ size: [0.75, 28] })
      const text = cssVar('--muted')
      const grid = cssVar('--border')
      const opts: uPlot.Options = {
        width: Math.max(320, el.clientWidth),
        height: 220,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false, range: [-0.6, 23.6] }, y: { range: [0, Math.max(1, s.max) * 1.1] } },
        axes: [
          { stroke: text, grid: { show: false }, ticks: { stroke: grid }, incrs: [1, 2, 3], values: (_u, v) => v.map((h) => `${h}`) },
          { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }
        ],
        series: [
          {},
          ...order.map((g) => {
            const c = cssVar(GROUP_COLOUR[g])
            const series: uPlot.Series = { label: g, stroke: c, fill: c, width: 0, points: { show: false } }
            if (bars) series.paths = bars
            return series
          })
        ]
      }
      const data: uPlot.AlignedData = [s.hours, ...order.map((g) => s.stacked[g])]
      const p = new uPlot(opts, data, el)
      plot = p
      ro = new ResizeObserver(() => p.setSize({ width: Math.max(320, el.clientWidth), height: 220 }))
      ro.observe(el)
    })
    return () => {
      window.cancelAnimationFrame(raf)
      ro?.disconnect()
      plot?.destroy()
    }
  }, [byHour, theme])

  return <div ref={box} className="chart-box" role="img" aria-label={label} data-testid="day-chart" />
}
