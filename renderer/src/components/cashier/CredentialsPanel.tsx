import { useId, useState } from 'react'
import { useTranslation } from 'react-i18next'

import type { CredentialInput } from '../../../../shared/contract'
import type { TerminalView } from '../../../../shared/payouts'
import type { AppErrorData } from '../../../../shared/result'
import { useApp } from '../../app-context'
import { useNow } from '../../hooks/use-now'
import { ErrorNote } from './ErrorNote'
import { certExpiry, formatDate } from './format'

/** A chosen file's bytes as base64, read in the renderer (never a path: the core gets bytes). */
async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  let bin = ''
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(bin)
}

type DeleteKind = 'password' | 'signing-key' | 'client-cert'

/**
 * Credentials of one terminal: secrets go in (paste / file), only "stored or not" and the
 * certificate's public facts come back. The signing key's public half can be exported.
 */
export function CredentialsPanel({ terminal }: { terminal: TerminalView }): React.JSX.Element {
  const { t } = useTranslation()
  const { api, settings } = useApp()
  const lang = settings.language
  const uid = useId()
  const now = useNow(60_000)
  const [password, setPassword] = useState('')
  const [keyFile, setKeyFile] = useState<File | null>(null)
  const [keyPass, setKeyPass] = useState('')
  const [certFormat, setCertFormat] = useState<'pfx' | 'pem'>('pfx')
  const [pfxFile, setPfxFile] = useState<File | null>(null)
  const [certKeyFile, setCertKeyFile] = useState<File | null>(null)
  const [certPemFile, setCertPemFile] = useState<File | null>(null)
  const [caFile, setCaFile] = useState<File | null>(null)
  const [certPass, setCertPass] = useState('')
  const [busy, setBusy] = useState(false)
  const [note, setNote] = useState<string | null>(null)
  const [error, setError] = useState<AppErrorData | null>(null)
  const [pem, setPem] = useState<string | null>(null)
  const [confirmDelete, setConfirmDelete] = useState<DeleteKind | null>(null)
  const c = terminal.credentials

  const run = async (fn: () => Promise<{ ok: boolean; error?: AppErrorData }>, okText: string): Promise<boolean> => {
    setBusy(true)
    setNote(null)
    setError(null)
    const r = await fn()
    setBusy(false)
    if (!r.ok) {
      setError(r.error ?? null)
      return false
    }
    setNote(okText)
    return true
  }

  const save = async (input: CredentialInput): Promise<boolean> =>
    run(async () => {
      const r = await api.credentials.save(input)
      return r.ok ? { ok: true } : { ok: false, error: r.error }
    }, t('cashier.settings.credentials.savedOk'))

  const savePassword = async (): Promise<void> => {
    if (password === '') return
    if (await save({ kind: 'password', terminalRef: terminal.id, password })) setPassword('')
  }

  const importKey = async (): Promise<void> => {
    if (!keyFile) return
    const input: CredentialInput = { kind: 'signing-key', terminalRef: terminal.id, keyPemBase64: await fileToBase64(keyFile) }
    if (keyPass !== '') input.passphrase = keyPass
    if (await save(input)) {
      setKeyFile(null)
      setKeyPass('')
    }
  }

  const importCert = async (): Promise<void> => {
    const ca = caFile ? await fileToBase64(caFile) : undefined
    let input: CredentialInput
    if (certFormat === 'pfx') {
      if (!pfxFile) return
      input = { kind: 'client-pfx', terminalRef: terminal.id, pfxBase64: await fileToBase64(pfxFile) }
    } else {
      if (!certKeyFile || !certPemFile) return
      input = {
        kind: 'client-pem',
        terminalRef: terminal.id,
        keyPemBase64: await fileToBase64(certKeyFile),
        certPemBase64: await fileToBase64(certPemFile)
      }
    }
    if (certPass !== '') input.passphrase = certPass
    if (ca !== undefined) input.caPemBase64 = ca
    if (await save(input)) {
      setPfxFile(null)
      setCertKeyFile(null)
      setCertPemFile(null)
      setCaFile(null)
      setCertPass('')
    }
  }

  const remove = async (kind: DeleteKind): Promise<void> => {
    setConfirmDelete(null)
    await run(async () => {
      const r = await api.credentials.delete({ terminalRef: terminal.id, kind })
      return r.ok ? { ok: true } : { ok: false, error: r.error }
    }, t('cashier.settings.credentials.deletedOk'))
  }

  const exportKey = async (): Promise<void> => {
    setError(null)
    const r = await api.credentials.exportPublicKey({ terminalRef: terminal.id })
    if (r.ok) setPem(r.value.pem)
    else setError(r.error)
  }

  const downloadPem = (): void => {
    if (!pem) return
    const url = URL.createObjectURL(new Blob([pem], { type: 'application/x-pem-file' }))
    const a = document.createElement('a')
    a.href = url
    a.download = `qiwi-terminal-${terminal.terminalId}-public.pem`
    document.body.appendChild(a)
    a.click()
    a.remove()
    window.setTimeout(() => URL.revokeObjectURL(url), 30_000)
  }

  const status = (stored: boolean, testId: string): React.JSX.Element => (
    <span className={stored ? 'cred-status yes' : 'cred-status no'} data-testid={testId} data-stored={stored}>
      {stored ? t('cashier.settings.credentials.stored') : t('cashier.settings.credentials.missing')}
    </span>
  )

  const deleteButton = (kind: DeleteKind): React.JSX.Element =>
    confirmDelete === kind ? (
      <span className="row">
        <span>{t('cashier.settings.credentials.deleteConfirm')}</span>
        <button type="button" onClick={() => void remove(kind)} disabled={busy} data-testid={`confirm-delete-${kind}`}>
          {t('cashier.common.delete')}
        </button>
        <button type="button" onClick={() => setConfirmDelete(null)}>
          {t('cashier.common.cancel')}
        </button>
      </span>
    ) : (
      <button type="button" onClick={() => setConfirmDelete(kind)} disabled={busy} data-testid={`delete-${kind}`}>
        {t('cashier.common.delete')}
      </button>
    )

  const required = <span className="cred-required">{t('cashier.settings.credentials.required')}</span>
  const cert = terminal.certificate
  const expiry = cert ? certExpiry(cert.notAfter, now) : null

  return (
    <section className="card" aria-labelledby={`${uid}-title`} data-testid="credentials-panel">
      <h2 id={`${uid}-title`}>
        {t('cashier.settings.credentials.title')}: {terminal.name}
      </h2>
      <p className="muted">{t('cashier.settings.credentials.secretsNote')}</p>
      <div className="cred-grid">
        <span>
          {t('cashier.settings.credentials.password')}
          {terminal.authMode !== 'signature' && required}
        </span>
        <div className="cred-block">
          <div className="row">
            {status(c.password, 'cred-password')}
            {c.password && deleteButton('password')}
          </div>
          <div className="row">
            <label htmlFor={`${uid}-pw`} className="visually-hidden">
              {t('cashier.settings.credentials.pastePassword')}
            </label>
            <input
              id={`${uid}-pw`}
              type="password"
              autoComplete="off"
              placeholder={t('cashier.settings.credentials.pastePassword')}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault()
                  void savePassword()
                }
              }}
            />
            <button type="button" onClick={() => void savePassword()} disabled={busy || password === ''}>
              {t('cashier.settings.credentials.savePassword')}
            </button>
          </div>
        </div>

        <span>
          {t('cashier.settings.credentials.signingKey')}
          {terminal.authMode === 'signature' && required}
        </span>
        <div className="cred-block">
          <div className="row">
            {status(c.signingKey, 'cred-signing-key')}
            {c.signingKey && deleteButton('signing-key')}
            {c.signingKey && (
              <button type="button" onClick={() => void exportKey()} data-testid="export-public-key">
                {t('cashier.settings.credentials.exportPublic')}
              </button>
            )}
          </div>
          <div className="row">
            <label htmlFor={`${uid}-key`}>{t('cashier.settings.credentials.keyFile')}</label>
            <input id={`${uid}-key`} type="file" accept=".pem,.key,.txt" onChange={(e) => setKeyFile(e.target.files?.[0] ?? null)} />
          </div>
          <div className="row">
            <label htmlFor={`${uid}-keypass`}>{t('cashier.settings.credentials.passphrase')}</label>
            <input id={`${uid}-keypass`} type="password" autoComplete="off" value={keyPass} onChange={(e) => setKeyPass(e.target.value)} />
            <button type="button" onClick={() => void importKey()} disabled={busy || !keyFile}>
              {t('cashier.settings.credentials.importKey')}
            </button>
          </div>
          {pem && (
            <div className="cred-block">
              <span className="muted">{t('cashier.settings.credentials.exportHint')}</span>
              <textarea className="pem-box" readOnly value={pem} data-testid="public-key-pem" />
              <div>
                <button type="button" onClick={downloadPem}>
                  {t('cashier.settings.credentials.download')}
                </button>
              </div>
            </div>
          )}
        </div>

        <span>
          {t('cashier.settings.credentials.clientCert')}
          {terminal.authMode === 'certificate' && required}
        </span>
        <div className="cred-block">
          <div className="row">
            {status(c.clientCert, 'cred-client-cert')}
            {c.clientCert && deleteButton('client-cert')}
          </div>
          {cert && (
            <dl className="kv" data-testid="cert-info">
              <dt>{t('cashier.settings.credentials.subject')}</dt>
              <dd>{cert.subject ?? '—'}</dd>
              <dt>{t('cashier.settings.credentials.issuer')}</dt>
              <dd>{cert.issuer ?? '—'}</dd>
              <dt>{t('cashier.settings.credentials.fingerprint')}</dt>
              <dd>
                <code>{cert.fingerprintSha256 ?? '—'}</code>
              </dd>
              <dt>{t('cashier.settings.credentials.expires')}</dt>
              <dd>{cert.notAfter !== null ? formatDate(cert.notAfter, lang) : '—'}</dd>
            </dl>
          )}
          {cert && cert.notAfter !== null && (expiry !== null || cert.expiresSoon) && (
            <div className="warn-note" role="alert" data-testid="cert-expiry">
              {expiry === 'expired'
                ? t('cashier.settings.credentials.expired', { date: formatDate(cert.notAfter, lang) })
                : t('cashier.settings.credentials.expiresSoon', { date: formatDate(cert.notAfter, lang) })}
            </div>
          )}
          <div className="row" role="radiogroup" aria-label={t('cashier.settings.credentials.certFormat')}>
            <label>
              <input type="radio" name={`${uid}-fmt`} checked={certFormat === 'pfx'} onChange={() => setCertFormat('pfx')} />
              {t('cashier.settings.credentials.formatPfx')}
            </label>
            <label>
              <input type="radio" name={`${uid}-fmt`} checked={certFormat === 'pem'} onChange={() => setCertFormat('pem')} />
              {t('cashier.settings.credentials.formatPem')}
            </label>
          </div>
          {certFormat === 'pfx' ? (
            <div className="row">
              <label htmlFor={`${uid}-pfx`}>{t('cashier.settings.credentials.pfxFile')}</label>
              <input id={`${uid}-pfx`} type="file" accept=".pfx,.p12" onChange={(e) => setPfxFile(e.target.files?.[0] ?? null)} />
            </div>
          ) : (
            <>
              <div className="row">
                <label htmlFor={`${uid}-ckey`}>{t('cashier.settings.credentials.keyPemFile')}</label>
                <input id={`${uid}-ckey`} type="file" accept=".pem,.key" onChange={(e) => setCertKeyFile(e.target.files?.[0] ?? null)} />
              </div>
              <div className="row">
                <label htmlFor={`${uid}-ccert`}>{t('cashier.settings.credentials.certPemFile')}</label>
                <input id={`${uid}-ccert`} type="file" accept=".pem,.crt,.cer" onChange={(e) => setCertPemFile(e.target.files?.[0] ?? null)} />
              </div>
            </>
          )}
          <div className="row">
            <label htmlFor={`${uid}-ca`}>{t('cashier.settings.credentials.caFile')}</label>
            <input id={`${uid}-ca`} type="file" accept=".pem,.crt,.cer" onChange={(e) => setCaFile(e.target.files?.[0] ?? null)} />
          </div>
          <div className="row">
            <label htmlFor={`${uid}-cpass`}>{t('cashier.settings.credentials.passphrase')}</label>
            <input id={`${uid}-cpass`} type="password" autoComplete="off" value={certPass} onChange={(e) => setCertPass(e.target.value)} />
            <button
              type="button"
              onClick={() => void importCert()}
              disabled={busy || (certFormat === 'pfx' ? !pfxFile : !certKeyFile || !certPemFile)}
            >
              {t('cashier.settings.credentials.importCert')}
            </button>
          </div>
        </div>

        <span>{t('cashier.settings.credentials.caCert')}</span>
        <div>{status(c.caCert, 'cred-ca-cert')}</div>
      </div>
      {note && (
        <p className="ok-note" role="status">
          {note}
        </p>
      )}
      {error && <ErrorNote error={error} />}
    </section>
  )
}
