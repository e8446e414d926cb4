import { createContext, useContext } from 'react'

import type { AppInfo, RendererApi, Settings } from '../../shared/contract'

export interface AppContextValue {
  api: RendererApi
  info: AppInfo
  settings: Settings
  updateSettings: (patch: Partial<Settings>) => Promise<void>
  online: boolean
}

export const AppContext = createContext<AppContextValue | null>(null)

export function useApp(): AppContextValue {
  const v = useContext(AppContext)
  if (!v) throw new Error('useApp outside AppContext')
  return v
}
