/**
 * TopupClient: builders + auth + transport + classifiers for one terminal.
 *
 * Each call returns `Result<ClientResult<T>>`:
 * - `ok: false` only when nothing was sent (invalid input, unusable credentials):
 *   a local validation error, safe to show and to decline on.
 * - `ok: true` otherwise, with the classified outcome and an exchange record that
 *   is safe to journal (password replaced by `***`, raw reply text, HTTP status,
 *   transport error). Transport/HTTP/XML failures live inside the outcome
 *   (`unknown` for pay/status), never in `ok: false`.
 */
import { createSecureContext } from 'node:tls'
import type { KeyObject } from 'node:crypto'
import type { Logger } from '../log/logger'
import { err, ok } from '../../../shared/result'
import type { Result } from '../../../shared/result'
import {
  buildCheckDepositRequest,
  buildCheckUserRequest,
  buildGetProviderRequest,
  buildPayRequest,
  buildPingRequest,
  buildStatusRequest
} from './request-builder'
import type { BuiltRequest, RequestIdentity } from './request-builder'
import { classifyPayHttpStatus, classifyPayReply, classifyPayTransportFailure } from './classifier'
import {
  classifyCheckDepositFailure,
  classifyCheckDepositReply,
  classifyCheckUserReply,
  classifyGetProviderReply,
  classifyPingReply,
  classifyQueryHttpStatus,
  classifyQueryTransportFailure
} from './query-classifiers'
import { transportReason } from './reply-common'
import { loadSigningKey, signBody, signatureHeaders } from './signing'
import { parseOrigin, sendXml } from './transport'
import type { TransportRequest, TransportResult } from './transport'
import type {
  CheckDepositOutcome,
  CheckDepositQuery,
  CheckUserQuery,
  CheckUserValue,
  ClientCertificate,
  ClientResult,
  ExchangeRecord,
  GetProviderQuery,
  PayDetails,
  PayOutcome,
  PingValue,
  ProviderValue,
  QueryOutcome,
  StatusQuery,
  TopupAuth,
  TopupEndpointConfig
} from './types'

export interface TopupClientOptions {
  endpoint: TopupEndpointConfig
  auth: TopupAuth
  /** Foreign-card payouts (36655) are suspended per the docs; off unless true. */
  allowForeignCard?: boolean | undefined
  logger?: Logger | undefined
  /** Clock for durations (ms). */
  now?: (() => number) | undefined
  /** Transport override for tests of the composition; defaults to the real one. */
  send?: ((req: TransportRequest) => Promise<TransportResult>) | undefined
}

export interface TopupClient {
  /** pay for any product; classify with the pay rules (not-registered possible). */
  pay(details: PayDetails): Promise<Result<ClientResult<PayOutcome>>>
  /** Status of one payment (≥ 10 min apart per payment: the caller's scheduler enforces it). */
  status(query: StatusQuery): Promise<Result<ClientResult<PayOutcome>>>
  checkDeposit(query: CheckDepositQuery): Promise<Result<ClientResult<CheckDepositOutcome>>>
  checkUser(query: CheckUserQuery): Promise<Result<ClientResult<QueryOutcome<CheckUserValue>>>>
  ping(): Promise<Result<ClientResult<QueryOutcome<PingValue>>>>
  getProvider(query: GetProviderQuery): Promise<Result<ClientResult<QueryOutcome<ProviderValue>>>>
}

/**
 * Checks client-certificate material the way the TLS stack will use it, so a bad
 * PFX, a wrong passphrase or a key/cert mismatch is caught at import/configuration
 * time and never as a synchronous throw on the payment path.
 */
export function validateClientCertificate(cert: ClientCertificate): Result<void> {
  try {
    if (cert.kind === 'pfx') {
      createSecureContext(
        cert.passphrase === undefined ? { pfx: cert.pfx } : { pfx: cert.pfx, passphrase: cert.passphrase }
      )
    } else {
      createSecureContext(
        cert.passphrase === undefined
          ? { key: cert.key, cert: cert.cert }
          : { key: cert.key, cert: cert.cert, passphrase: cert.passphrase }
      )
    }
    return ok(undefined)
  } catch (e) {
    const message = e instanceof Error ? e.message : ''
    const code =
      typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : ''
    if (/mac verify failure|bad decrypt|passphrase/i.test(message)) {
      return err('credential-wrong-passphrase', 'The certificate passphrase is wrong or missing')
    }
    if (/Unsupported PKCS12|unsupported/i.test(message) || code === 'ERR_CRYPTO_UNSUPPORTED_OPERATION') {
      return err(
        'credential-legacy-pfx',
        'The PFX uses an unsupported (legacy) encryption; re-export it with AES'
      )
    }
    if (/key values mismatch/i.test(message)) {
      return err('credential-key-mismatch', 'The private key does not match the certificate')
    }
    return err(
      'credential-invalid',
      'The client certificate or key cannot be loaded',
      code ? { nodeCode: code } : undefined
    )
  }
}

function identityOf(auth: TopupAuth): RequestIdentity {
  switch (auth.mode) {
    case 'password':
      return { terminalId: auth.terminalId, password: auth.password }
    case 'signature':
      // Decision D2: no password with a signature unless explicitly configured.
      return { terminalId: auth.terminalId, password: auth.sendPassword === true ? auth.password : undefined }
    case 'certificate':
      // Decision D3: keep sending the password with a client certificate.
      return { terminalId: auth.terminalId, password: auth.password }
  }
}

/** Builds a client after checking the endpoint and the credential material. */
export function createTopupClient(opts: TopupClientOptions): Result<TopupClient> {
  const origin = parseOrigin(opts.endpoint.origin)
  if (!origin.ok) {
    return err(origin.error.kind === 'refused-insecure' ? 'forbidden' : 'config', origin.error.message)
  }
  const auth = opts.auth
  let signingKey: KeyObject | undefined
  if (auth.mode === 'signature') {
    const k = loadSigningKey(auth.privateKeyPem, auth.passphrase)
    if (!k.ok) return k
    signingKey = k.value
    if (auth.sendPassword === true && auth.password === undefined) {
      return err('credential-missing', 'sendPassword is set but no password was given')
    }
  }
  if (auth.mode === 'certificate') {
    const v = validateClientCertificate(auth.clientCert)
    if (!v.ok) return v
  }
  const identity = identityOf(auth)
  const send = opts.send ?? sendXml
  const now = opts.now ?? Date.now
  const log = opts.logger

  async function exchange<T>(
    built: Result<BuiltRequest>,
    onReply: (body: Buffer) => T,
    onHttp: (status: number) => T,
    onTransport: (r: Extract<TransportResult, { ok: false }>) => T
  ): Promise<Result<ClientResult<T>>> {
    if (!built.ok) return built
    const b = built.value
    let headers: Record<string, string> | undefined
    if (auth.mode === 'signature' && signingKey) {
      const sig = signBody(b.body, signingKey, auth.algorithm)
      if (!sig.ok) return sig
      headers = signatureHeaders(sig.value, auth.algorithm)
    }
    const t0 = now()
    const res = await send({
      endpoint: opts.endpoint,
      path: b.path,
      body: b.body,
      headers,
      clientCert: auth.mode === 'certificate' ? auth.clientCert : undefined
    })
    const record: ExchangeRecord = {
      requestType: b.requestType,
      url: res.url,
      requestXmlRedacted: b.redactedXml,
      durationMs: Math.max(0, now() - t0)
    }
    let outcome: T
    if (!res.ok) {
      record.error = res.error
      record.httpStatus = res.status
      if (res.body !== undefined) record.replyText = res.body.toString('utf8')
      outcome = onTransport(res)
    } else {
      record.httpStatus = res.status
      record.replyText = res.body.toString('utf8')
      outcome = res.status === 200 ? onReply(res.body) : onHttp(res.status)
    }
    log?.debug(
      {
        requestType: b.requestType,
        transactionNumber: b.transactionNumber,
        httpStatus: record.httpStatus,
        transportError: record.error?.kind,
        durationMs: record.durationMs
      },
      'topup exchange'
    )
    return ok({ outcome, exchange: record })
  }

  const maxBytes = opts.endpoint.maxResponseBytes

  const client: TopupClient = {
    pay(details) {
      const built = buildPayRequest(identity, details, { allowForeignCard: opts.allowForeignCard })
      return exchange(
        built,
        (body) =>
          classifyPayReply(body, { mode: 'pay', transactionNumber: details.transactionNumber, maxBytes }),
        (status) => classifyPayHttpStatus(status),
        (r) => classifyPayTransportFailure(r.error)
      )
    },
    status(query) {
      return exchange(
        buildStatusRequest(identity, query),
        (body) =>
          classifyPayReply(body, { mode: 'status', transactionNumber: query.transactionNumber, maxBytes }),
        (status) => classifyPayHttpStatus(status),
        (r) => classifyPayTransportFailure(r.error)
      )
    },
    checkDeposit(query) {
      return exchange(
        buildCheckDepositRequest(identity, query),
        (body) => classifyCheckDepositReply(body, maxBytes),
        () => classifyCheckDepositFailure('http-status'),
        (r) => classifyCheckDepositFailure(transportReason(r.error))
      )
    },
    checkUser(query) {
      return exchange<QueryOutcome<CheckUserValue>>(
        buildCheckUserRequest(identity, query),
        (body) => classifyCheckUserReply(body, maxBytes),
        () => classifyQueryHttpStatus(),
        (r) => classifyQueryTransportFailure(r.error)
      )
    },
    ping() {
      return exchange<QueryOutcome<PingValue>>(
        buildPingRequest(identity),
        (body) => classifyPingReply(body, maxBytes),
        () => classifyQueryHttpStatus(),
        (r) => classifyQueryTransportFailure(r.error)
      )
    },
    getProvider(query) {
      return exchange<QueryOutcome<ProviderValue>>(
        buildGetProviderRequest(identity, query),
        (body) => classifyGetProviderReply(body, maxBytes),
        () => classifyQueryHttpStatus(),
        (r) => classifyQueryTransportFailure(r.error)
      )
    }
  }
  return ok(client)
}
