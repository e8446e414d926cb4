/**
 * Loopback test servers and certificate material for the Top-Up transport tests.
 * Certificates come from electron/core/pki (node-forge + node:crypto).
 */
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { createCa, issueCert, spkiSha256Base64, toPfx } from '../../../electron/core/pki/pki'
import type { Pem } from '../../../electron/core/pki/pki'

export interface Material {
  ca: Pem
  server: Pem
  client: Pem
  clientPfx: Buffer
  pfxPass: string
  rogueCa: Pem
  rogueServer: Pem
  wrongHostServer: Pem
  expiredServer: Pem
  otherKeyServer: Pem
  serverPin: string
  otherPin: string
}

const DAY = 86_400_000

export function makeMaterial(): Material {
  const ca = createCa({ commonName: 'QIWI Test CA' })
  const loop = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }
  const server = issueCert(ca, { kind: 'server', commonName: 'localhost', ...loop })
  const client = issueCert(ca, { kind: 'client', commonName: 'agent-123' })
  const pfxPass = 'pfx-pass'
  // Certificates that only need to be refused use 1024-bit keys (fine at OpenSSL security level 1): faster CI.
  const small = { keyBits: 1024 }
  const rogueCa = createCa({ commonName: 'Rogue CA', ...small })
  const rogueServer = issueCert(rogueCa, { kind: 'server', commonName: 'localhost', ...loop, ...small })
  const wrongHostServer = issueCert(ca, {
    kind: 'server',
    commonName: 'other.example',
    dnsNames: ['other.example'],
    ...small
  })
  const now = Date.now()
  const expiredServer = issueCert(ca, {
    kind: 'server',
    commonName: 'localhost',
    ...loop,
    notBefore: new Date(now - 400 * DAY),
    notAfter: new Date(now - 30 * DAY),
    ...small
  })
  const otherKeyServer = issueCert(ca, { kind: 'server', commonName: 'localhost', ...loop, ...small })
  return {
    ca,
    server,
    client,
    clientPfx: toPfx(client, pfxPass),
    pfxPass,
    rogueCa,
    rogueServer,
    wrongHostServer,
    expiredServer,
    otherKeyServer,
    serverPin: spkiSha256Base64(server.cert),
    otherPin: spkiSha256Base64(otherKeyServer.cert)
  }
}

export interface SeenRequest {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: Buffer
  peerCn: string | undefined
}

export type Handler = (req: SeenRequest, res: http.ServerResponse) => void

export interface TestServer {
  origin: string
  port: number
  requests: SeenRequest[]
  /** TLS handshakes the server refused (e.g. a missing client certificate). */
  tlsErrors: string[]
  setHandler(h: Handler): void
  close(): Promise<void>
}

function track(server: net.Server): () => Promise<void> {
  const sockets = new Set<net.Socket>()
  server.on('connection', (s: net.Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    })
}

function wire(server: http.Server, requests: SeenRequest[], getHandler: () => Handler): void {
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const sock = req.socket as TLSSocket
      const peer = typeof sock.getPeerCertificate === 'function' ? sock.getPeerCertificate() : undefined
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        peerCn: peer && typeof peer.subject === 'object' ? (peer.subject.CN as string | undefined) : undefined
      }
      requests.push(seen)
      getHandler()(seen, res)
    })
  })
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return (server.address() as AddressInfo).port
}

export const okXml =
  (text: string): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/xml; charset=utf-8' })
    res.end(text)
  }

export async function startHttps(opts: {
  cert: Pem
  ca?: string
  requestCert?: boolean
  handler?: Handler
}): Promise<TestServer> {
  const requests: SeenRequest[] = []
  const tlsErrors: string[] = []
  let handler: Handler = opts.handler ?? okXml('<response><result-code>0</result-code></response>')
  const server = https.createServer({
    key: opts.cert.key,
    cert: opts.cert.cert,
    ...(opts.ca ? { ca: [opts.ca] } : {}),
    requestCert: opts.requestCert === true,
    rejectUnauthorized: opts.requestCert === true,
    minVersion: 'TLSv1.2'
  })
  server.on('tlsClientError', (e: Error & { code?: string }) => tlsErrors.push(e.code ?? e.message))
  wire(server, requests, () => handler)
  const close = track(server)
  const port = await listen(server)
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    requests,
    tlsErrors,
    setHandler: (h) => {
      handler = h
    },
    close
  }
}

export async function startHttp(handler?: Handler): Promise<TestServer> {
  const requests: SeenRequest[] = []
  let h: Handler = handler ?? okXml('<response><result-code>0</result-code></response>')
  const server = http.createServer()
  wire(server, requests, () => h)
  const close = track(server)
  const port = await listen(server)
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    tlsErrors: [],
    setHandler: (x) => {
      h = x
    },
    close
  }
}

/** A TCP server that accepts connections and never says a word (no TLS handshake, no HTTP). */
export async function startSilentTcp(): Promise<{
  port: number
  bytes: () => number
  close: () => Promise<void>
}> {
  let bytes = 0
  const server = net.createServer((s) => {
    s.on('data', (d: Buffer) => {
      bytes += d.length
    })
  })
  const close = track(server)
  const port = await listen(server)
  return { port, bytes: () => bytes, close }
}
