import { useEffect, useState } from 'react'

/** The current time, re-rendering every `everyMs` (for "next check in 4 min" labels). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), everyMs)
    return () => window.clearInterval(id)
  }, [everyMs])
  return now
}
