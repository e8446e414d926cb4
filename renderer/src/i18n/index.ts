import i18next from 'i18next'
import { initReactI18next } from 'react-i18next'

import type { Language } from '../../../shared/contract'
import { en } from './en'
import { ru } from './ru'

export const resources = { ru: { translation: ru }, en: { translation: en } } as const

void i18next.use(initReactI18next).init({
  resources,
  lng: 'ru',
  fallbackLng: 'ru',
  interpolation: { escapeValue: false },
  returnNull: false
})

export function setLanguage(lang: Language): void {
  if (i18next.language !== lang) void i18next.changeLanguage(lang)
  document.documentElement.lang = lang
}

export default i18next
