import i18next from 'i18next'
import { initReactI18next } from 'react-i18next'

import type { Language } from '../../../shared/contract'
import { cashierEn } from './cashier.en'
import { cashierRu } from './cashier.ru'
import { en } from './en'
import { ru } from './ru'
import { walletEn } from './wallet.en'
import { walletRu } from './wallet.ru'

// One translation namespace; each area (shell, cashier, wallet) owns a top-level key.
export const resources = {
  ru: { translation: { ...ru, ...cashierRu, ...walletRu } },
  en: { translation: { ...en, ...cashierEn, ...walletEn } }
} as const

void i18next.use(initReactI18next).init({
  resources,
  lng: 'ru',
  fallbackLng: 'ru',
  interpolation: { escapeValue: false },
  returnNull: false,
  showSupportNotice: false
})

export function setLanguage(lang: Language): void {
  if (i18next.language !== lang) void i18next.changeLanguage(lang)
  document.documentElement.lang = lang
}

export default i18next
