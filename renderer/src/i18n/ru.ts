/** Russian is the default language of the desk. Keys are shared with en.ts (typed). */
export const ru = {
  app: {
    title: 'QIWI Desk',
    loading: 'Загрузка…',
    noHost: 'Нет связи с приложением. Откройте адрес, который напечатал веб-хост (с токеном).'
  },
  nav: {
    payouts: 'Выплаты',
    history: 'История',
    wallet: 'Кошелёк',
    report: 'Отчёт',
    settings: 'Настройки'
  },
  status: {
    endpoint: 'Сервер',
    sandbox: 'Песочница (встроенная)',
    custom: 'Сервер QIWI',
    online: 'на связи',
    offline: 'нет связи',
    keychain: 'Секреты',
    keychainOs: 'в связке ключей ОС',
    keychainSession: 'только на этот сеанс',
    keychainUnavailable: 'хранилище недоступно',
    host: 'Режим',
    hostElectron: 'приложение',
    hostWeb: 'браузер'
  },
  settings: {
    title: 'Настройки',
    language: 'Язык интерфейса',
    theme: 'Оформление',
    themeLight: 'Светлое',
    themeDark: 'Тёмное',
    themeSystem: 'Как в системе',
    logs: 'Журнал работы',
    openLogs: 'Открыть папку журнала',
    logsPath: 'Папка журнала: {{path}}',
    dataDir: 'Папка данных',
    version: 'Версия'
  },
  pages: {
    payoutsTitle: 'Выплаты',
    historyTitle: 'История выплат',
    walletTitle: 'Кошелёк',
    reportTitle: 'Отчёт за день'
  },
  errors: {
    generic: 'Что-то пошло не так. Код для поддержки: {{code}}',
    'network-failure': 'Нет связи с приложением',
    'bad-request': 'Неверный запрос',
    internal: 'Внутренняя ошибка приложения',
    forbidden: 'Доступ запрещён',
    unauthorized: 'Нет доступа'
  }
}

export type Messages = typeof ru
