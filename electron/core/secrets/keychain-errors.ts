/**
 * Turns what the OS keychain (through keytar) throws into one of two typed problems the UI
 * can act on, with a platform-specific "what to do":
 * - 'keychain-locked': the keychain exists but is locked or the user dismissed the unlock
 *   prompt; unlocking it fixes the problem.
 * - 'keychain-unavailable': there is no usable keychain (no Secret Service on the D-Bus
 *   session bus, libsecret missing, keychain damaged); the user must install/start one or use
 *   the session-only mode.
 *
 * Pure functions: tested with the messages libsecret, macOS Security.framework and Windows
 * CredWrite actually produce.
 */
import { AppError } from '../../../shared/errors'
import type { LocalizedText } from './secret-errors'

export type KeychainProblemCode = 'keychain-unavailable' | 'keychain-locked'

export interface KeychainProblem {
  code: KeychainProblemCode
  message: LocalizedText
  /** The OS/library error text for support (never contains a secret value), if any. */
  detail?: string | undefined
}

export type KeychainPlatform = 'linux' | 'darwin' | 'win32' | 'other'

export function currentKeychainPlatform(p: string = process.platform): KeychainPlatform {
  return p === 'linux' || p === 'darwin' || p === 'win32' ? p : 'other'
}

// libsecret: "Cannot create an item in a locked collection", "Cannot get secret of a locked
// object"; GLib prompt failures: "The operation was cancelled", "Prompt dismissed"; macOS:
// "User interaction is not allowed." (errSecInteractionNotAllowed, -25308), "User canceled
// the operation." (-128), "The user name or passphrase you entered is not correct." (errSecAuthFailed, -25293).
const LOCKED_PATTERN =
  /locked|unlock|interaction is not allowed|user cancel|cancelled|canceled|prompt|dismissed|passphrase you entered is not correct|-25308|-25293|\(-128\)/i

const ADVICE: Record<KeychainPlatform, Record<KeychainProblemCode, LocalizedText>> = {
  linux: {
    'keychain-unavailable': {
      en:
        'The system keychain (Secret Service) is not available. Install and start GNOME Keyring ' +
        '(packages gnome-keyring and libsecret-1-0) or KWallet with Secret Service support enabled, ' +
        'and start QIWI Desk from your desktop session so that it can reach the D-Bus session bus. ' +
        'Until then you can choose the session-only mode: secrets stay in memory and must be entered ' +
        'again after every restart.',
      ru:
        'Системное хранилище паролей (Secret Service) недоступно. Установите и запустите GNOME Keyring ' +
        '(пакеты gnome-keyring и libsecret-1-0) или KWallet с включённой поддержкой Secret Service ' +
        'и запускайте QIWI Desk из сеанса рабочего стола, чтобы ему была доступна сессионная шина D-Bus. ' +
        'До тех пор можно выбрать режим «только на этот сеанс»: секреты хранятся в памяти, и после ' +
        'каждого перезапуска их нужно вводить заново.'
    },
    'keychain-locked': {
      en:
        'The keyring is locked. Unlock it and try again: in GNOME open "Passwords and Keys" (Seahorse), ' +
        'right-click the "Login" keyring and choose Unlock; in KDE open KWallet Manager and open the wallet.',
      ru:
        'Связка ключей заблокирована. Разблокируйте её и повторите: в GNOME откройте «Пароли и ключи» ' +
        '(Seahorse), щёлкните правой кнопкой по связке «Вход» и выберите «Разблокировать»; в KDE откройте ' +
        'KWallet Manager и откройте бумажник.'
    }
  },
  darwin: {
    'keychain-unavailable': {
      en:
        'The macOS Keychain could not be used. Open Keychain Access, check that the "login" keychain ' +
        'exists and is the default keychain (use Keychain First Aid if it is damaged), then try again.',
      ru:
        'Не удалось использовать связку ключей macOS. Откройте «Связка ключей», проверьте, что связка ' +
        '«login» существует и выбрана по умолчанию (при повреждении воспользуйтесь «Первой помощью»), ' +
        'и повторите.'
    },
    'keychain-locked': {
      en:
        'The macOS login keychain is locked. Unlock it in Keychain Access (File → Unlock Keychain "login") ' +
        'and allow QIWI Desk access when macOS asks, then try again.',
      ru:
        'Связка ключей «login» в macOS заблокирована. Разблокируйте её в программе «Связка ключей» ' +
        '(Файл → Разблокировать связку «login») и разрешите доступ QIWI Desk, когда macOS спросит.'
    }
  },
  win32: {
    'keychain-unavailable': {
      en:
        'Windows Credential Manager could not be used. Check that the "Credential Manager" service ' +
        '(VaultSvc) is running and that you are signed in with your own (not a temporary) profile, then try again.',
      ru:
        'Не удалось использовать диспетчер учётных данных Windows. Проверьте, что служба «Диспетчер ' +
        'учётных данных» (VaultSvc) запущена и что вы вошли в свой (не временный) профиль, и повторите.'
    },
    'keychain-locked': {
      en:
        'Windows Credential Manager refused access. Sign in to Windows with your own account ' +
        '(credentials are locked while the profile is not loaded) and try again.',
      ru:
        'Диспетчер учётных данных Windows отказал в доступе. Войдите в Windows под своей учётной записью ' +
        '(учётные данные недоступны, пока профиль не загружен) и повторите.'
    }
  },
  other: {
    'keychain-unavailable': {
      en: 'No system keychain is available on this platform. Use the session-only mode.',
      ru: 'На этой платформе нет системного хранилища паролей. Используйте режим «только на этот сеанс».'
    },
    'keychain-locked': {
      en: 'The system keychain is locked. Unlock it and try again.',
      ru: 'Системное хранилище паролей заблокировано. Разблокируйте его и повторите.'
    }
  }
}

export function keychainAdvice(code: KeychainProblemCode, platform: KeychainPlatform): LocalizedText {
  return ADVICE[platform][code]
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message
  if (typeof e === 'string') return e
  return 'unknown error'
}

/** Classifies a keytar/OS failure (anything but "not found", which keytar reports as null/false). */
export function classifyKeychainError(
  e: unknown,
  platform: KeychainPlatform = currentKeychainPlatform()
): KeychainProblem {
  const detail = errorText(e).slice(0, 500)
  const code: KeychainProblemCode = LOCKED_PATTERN.test(detail) ? 'keychain-locked' : 'keychain-unavailable'
  return { code, message: keychainAdvice(code, platform), detail }
}

/** The problem as a throwable AppError; `details` carries both languages and the OS text. */
export function keychainProblemToAppError(problem: KeychainProblem): AppError {
  return new AppError(problem.code, problem.message.en, {
    ru: problem.message.ru,
    en: problem.message.en,
    ...(problem.detail !== undefined ? { detail: problem.detail } : {})
  })
}

/** Reads a KeychainProblem back from an AppError thrown by a SecretStore, if it is one. */
export function keychainProblemFromAppError(e: AppError): KeychainProblem | null {
  if (e.code !== 'keychain-unavailable' && e.code !== 'keychain-locked') return null
  const ru = e.details?.['ru']
  const en = e.details?.['en']
  const detail = e.details?.['detail']
  return {
    code: e.code,
    message: { ru: typeof ru === 'string' ? ru : e.message, en: typeof en === 'string' ? en : e.message },
    ...(typeof detail === 'string' ? { detail } : {})
  }
}
