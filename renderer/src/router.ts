import { useEffect, useState } from 'react'

export const PAGES = ['payouts', 'history', 'wallet', 'report', 'settings'] as const
export type Page = (typeof PAGES)[number]

function current(): Page {
  const m = /^#\/([a-z]+)/.exec(window.location.hash)
  const p = m?.[1]
  return (PAGES as readonly string[]).includes(p ?? '') ? (p as Page) : 'payouts'
}

/** Hash routing (#/payouts): works from app:// and from the web host alike. */
export function useRoute(): [Page, (p: Page) => void] {
  const [page, setPage] = useState<Page>(current)
  useEffect(() => {
    const on = (): void => setPage(current())
    window.addEventListener('hashchange', on)
    return () => window.removeEventListener('hashchange', on)
  }, [])
  return [page, (p: Page) => (window.location.hash = `#/${p}`)]
}
