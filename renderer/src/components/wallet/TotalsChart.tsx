import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

import { chartData, monthLabel } from './wallet-model'
import type { Lang, MonthRow } from './wallet-model'

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback
}

const HEIGHT = 240

/**
 * Incoming vs outgoing per month for one currency: two bars side by side per month.
 * Colours come from the theme's CSS variables, so the chart redraws when the theme changes.
 * Loaded lazily by the totals panel so uPlot stays out of the main bundle.
 */
export default function TotalsChart({
  rows,
  lang,
  theme,
  label,
  seriesLabels
}: {
  rows: readonly MonthRow[]
  lang: Lang
  theme: string
  label: string
  seriesLabels: { incoming: string; outgoing: string }
}): React.JSX.Element {
  const box = useRef<HTMLDivElement>(null)

  useEffect(() => {
    const el = box.current
    if (!el) return
    let plot: uPlot | null = null
    let ro: ResizeObserver | null = null
    // App applies the theme's variables in its own effect, which runs after this one: draw next frame.
    const raf = window.requestAnimationFrame(() => {
      const d = chartData(rows)
      const max = Math.max(1, ...d.incoming, ...d.outgoing)
      const text = cssVar('--muted', '#667')
      const grid = cssVar('--border', '#ccc')
      const inC = cssVar('--ok', '#1f8a4c')
      const outC = cssVar('--accent', '#ff8c00')
      const locale = lang === 'ru' ? 'ru-RU' : 'en-US'
      const months = rows.map((r) => monthLabel(r.month, lang))
      const opts: uPlot.Options = {
        width: Math.max(320, el.clientWidth),
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: { time: false, range: [-0.6, Math.max(0, rows.length - 1) + 0.6] },
          y: { range: [0, max * 1.12] }
        },
        axes: [
          {
            stroke: text,
            grid: { show: false },
            ticks: { stroke: grid },
            incrs: [1, 2, 3, 6, 12],
            values: (_u, vs) => vs.map((v) => months[v] ?? '')
          },
          {
            stroke: text,
            size: 80,
            grid: { stroke: grid, width: 1 },
            ticks: { stroke: grid },
            values: (_u, vs) => vs.map((v) => v.toLocaleString(locale, { maximumFractionDigits: 0 }))
          }
        ],
        series: [
          {},
          {
            label: seriesLabels.incoming,
            stroke: inC,
            fill: inC,
            width: 0,
            points: { show: false },
            paths: uPlot.paths.bars?.({ size: [0.38, 40], align: -1 })
          },
          {
            label: seriesLabels.outgoing,
            stroke: outC,
            fill: outC,
            width: 0,
            points: { show: false },
            paths: uPlot.paths.bars?.({ size: [0.38, 40], align: 1 })
          }
        ]
      }
      const p = new uPlot(opts, [d.x, d.incoming, d.outgoing], el)
      plot = p
      ro = new ResizeObserver(() => p.setSize({ width: Math.max(320, el.clientWidth), height: HEIGHT }))
      ro.observe(el)
    })
    return () => {
      window.cancelAnimationFrame(raf)
      ro?.disconnect()
      plot?.destroy()
    }
  }, [rows, lang, theme, seriesLabels.incoming, seriesLabels.outgoing])

  return (
    <div ref={box} className="wl-chart" role="img" aria-label={label} data-testid="wallet-totals-chart" />
  )
}
