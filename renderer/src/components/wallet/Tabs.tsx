import { useRef } from 'react'

export interface TabItem<K extends string> {
  key: K
  label: React.ReactNode
  testId?: string
  className?: string
}

/**
 * ARIA tabs (roving tabindex): arrow keys move between tabs, Home/End jump, the panel is
 * labelled by its tab. Used for the wallet switcher and the wallet's sections.
 */
export function Tabs<K extends string>({
  label,
  items,
  selected,
  onSelect,
  idPrefix,
  className
}: {
  label: string
  items: readonly TabItem<K>[]
  selected: K
  onSelect: (k: K) => void
  idPrefix: string
  className?: string
}): React.JSX.Element {
  const refs = useRef(new Map<string, HTMLButtonElement>())
  const onKeyDown = (e: React.KeyboardEvent, i: number): void => {
    const n = items.length
    const to =
      e.key === 'ArrowRight'
        ? (i + 1) % n
        : e.key === 'ArrowLeft'
          ? (i - 1 + n) % n
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? n - 1
              : -1
    const next = items[to]
    if (!next) return
    e.preventDefault()
    onSelect(next.key)
    refs.current.get(next.key)?.focus()
  }
  return (
    <div role="tablist" aria-label={label} className={className}>
      {items.map((it, i) => {
        const on = it.key === selected
        return (
          <button
            key={it.key}
            ref={(el) => {
              if (el) refs.current.set(it.key, el)
              else refs.current.delete(it.key)
            }}
            type="button"
            role="tab"
            id={`${idPrefix}-tab-${it.key}`}
            aria-selected={on}
            aria-controls={`${idPrefix}-panel`}
            tabIndex={on ? 0 : -1}
            className={`${it.className ?? ''}${on ? ' on' : ''}`.trim() || undefined}
            data-testid={it.testId}
            onClick={() => onSelect(it.key)}
            onKeyDown={(e) => onKeyDown(e, i)}
          >
            {it.label}
          </button>
        )
      })}
    </div>
  )
}
