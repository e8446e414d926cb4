/**
 * Transfers to wallet 99 are never doubled. The emulator's ledger (admin.transfers) is
 * the judge: after every fault and crash exactly one transfer exists, made under the
 * client id that was committed before the first send.
 *
 * Faults: reset after processing (arrived, no answer), reset before processing (never
 * arrived: re-sent with the same id only after history proves it), crashes between
 * commit and send and between send and outcome (simulated by writing the rows the way
 * the service does and restarting the service), a business refusal, 408 on a re-send.
 */
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { isAppError } from '../../../shared/errors'
import { prepared } from '../../../electron/core/db/connection'
import { PersonalClient } from '../../../electron/core/personal/client'
import { bearerAuth } from '../../../electron/core/personal/auth'
import { claimAttempt, createTransfer, getTransfer } from '../../../electron/core/wallet/transfers.repository'
import { DEFAULT_RESEND_AFTER_MS } from '../../../electron/core/wallet/wallet-service'
import { RECIPIENT, WALLET, makeRig, sentTo } from './support'
import type { Rig } from './support'

let rig: Rig | null = null
afterEach(async () => {
  await rig?.close()
  rig = null
})

async function setup(rub = 1_000_00): Promise<{ r: Rig; id: string; token: string }> {
  const r = await makeRig()
  rig = r
  r.h.emu.admin.createWallet({ wallet: WALLET, balances: { RUB: rub } })
  r.h.emu.admin.createWallet({ wallet: RECIPIENT })
  const token = r.h.emu.admin.createToken({ wallet: WALLET })
  const id = (await r.service.addWithToken({ name: 'Payer', api: r.h.url, token })).id
  return { r, id, token }
}

function payments(r: Rig): number {
  return sentTo(r.transport, '/sinap/api/v2/terms/99/payments').length
}

async function appError(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p
  } catch (e) {
    if (isAppError(e)) return { code: e.code, message: e.message }
    throw e
  }
  throw new Error('expected an AppError')
}

describe('transfer to a QIWI wallet', () => {
  it('accepted: the id is committed before sending, the reply settles it, a replay is the same transfer', async () => {
    const { r, id } = await setup()
    // When the payment arrives, a second (read-only) connection must already see the intent
    // and its attempt committed in the file.
    let committedBeforeSend = false
    r.h.server.prependListener('request', (req) => {
      if (req.url?.startsWith('/sinap/api/v2/terms/99/payments')) {
        const ro = new Database(r.dbFile, { readonly: true })
        try {
          const row = ro
            .prepare("SELECT client_id, attempts FROM wallet_transfers WHERE state = 'pending'")
            .get() as { client_id: string; attempts: number } | undefined
          committedBeforeSend = row?.attempts === 1 && row.client_id === String(r.clock.now())
        } finally {
          ro.close()
        }
      }
    })
    const v = await r.service.transfer({
      walletId: id,
      clientRequestId: 'click-1',
      to: '+7 926 222-33-44',
      amount: '100,50',
      comment: 'За обед'
    })
    expect(committedBeforeSend).toBe(true)
    expect(v).toMatchObject({
      walletId: id,
      to: RECIPIENT,
      amount: '100.50',
      comment: 'За обед',
      state: 'accepted',
      error: null
    })
    expect(v.id).toBe(String(r.clock.now()))
    const t = r.h.emu.admin.transfers({ clientId: v.id })
    expect(t).toHaveLength(1)
    expect(t[0]).toMatchObject({
      kopecks: 100_50,
      toAccount: `+${RECIPIENT}`,
      comment: 'За обед',
      txnId: v.txnId
    })
    expect(r.events.map((e) => e.state)).toEqual(['pending', 'accepted'])
    // The same click again (IPC replay, double click): no new intent, no new request.
    const again = await r.service.transfer({
      walletId: id,
      clientRequestId: 'click-1',
      to: RECIPIENT,
      amount: '100.50',
      comment: 'За обед'
    })
    expect(again).toEqual(v)
    expect(payments(r)).toBe(1)
    // The same request id with other details is a conflict, not a second transfer.
    expect(
      (
        await appError(
          r.service.transfer({ walletId: id, clientRequestId: 'click-1', to: RECIPIENT, amount: '5' })
        )
      ).code
    ).toBe('conflict')
    expect(r.service.transfers(id)).toHaveLength(1)
    // The fee as QIWI computes it.
    expect(await r.service.commission(id, RECIPIENT, '100.50')).toEqual({
      commission: '1.01',
      total: '101.51'
    })
  })

  it('reset after processing: waiting, then reconciled from history to exactly ONE transfer (no re-send)', async () => {
    const { r, id } = await setup()
    r.h.emu.admin.injectFault({ match: 'payment', kind: 'reset-after-processing' })
    const v = await r.service.transfer({ walletId: id, clientRequestId: 'c2', to: RECIPIENT, amount: '250' })
    expect(v.state).toBe('waiting')
    expect(v.txnId).toBeNull()
    expect(r.h.emu.admin.transfers()).toHaveLength(1)
    const settled = await r.service.reconcileTransfer(id, v.id)
    expect(settled.state).toBe('accepted')
    const t = r.h.emu.admin.transfers()
    expect(t).toHaveLength(1)
    expect(t[0]).toMatchObject({ clientId: v.id, txnId: settled.txnId, requestCount: 1 })
    expect(payments(r)).toBe(1)
    expect(r.h.emu.admin.balance(WALLET, 'RUB')).toBe(1_000_00 - 250_00 - 2_50)
    // The history item found is cached too.
    expect(r.service.history(id, { search: v.id }, { limit: 5, offset: 0 }).rows[0]).toMatchObject({
      trmTxnId: v.id,
      type: 'OUT'
    })
  })

  it('reset before processing: no re-send until history proves absence, then the SAME id once → ONE transfer', async () => {
    const { r, id } = await setup()
    r.h.emu.admin.injectFault({ match: 'payment', kind: 'reset-before-processing' })
    const v = await r.service.transfer({ walletId: id, clientRequestId: 'c3', to: RECIPIENT, amount: '10' })
    expect(v.state).toBe('waiting')
    expect(r.h.emu.admin.transfers()).toHaveLength(0)
    // Right away: history does not show it, but the attempt is too recent to call it lost.
    const early = await r.service.reconcileTransfer(id, v.id)
    expect(early.state).toBe('waiting')
    expect(payments(r)).toBe(1)
    const row = getTransfer(r.db, id, v.id)
    expect(row?.nextCheckAt).toBe((row?.lastAttemptAt ?? 0) + DEFAULT_RESEND_AFTER_MS)
    // The periodic pass does nothing before it is due.
    expect(await r.service.reconcileAll()).toMatchObject({ checked: 0 })
    r.clock.advance(DEFAULT_RESEND_AFTER_MS)
    const sum = await r.service.reconcileAll()
    expect(sum).toMatchObject({ checked: 1, resolved: 1, resent: 1, errors: 0 })
    const done = r.service.transfers(id)[0]
    expect(done).toMatchObject({ id: v.id, state: 'accepted' })
    expect(payments(r)).toBe(2)
    const bodies = sentTo(r.transport, '/sinap/api/v2/terms/99/payments').map(
      (q) => JSON.parse(q.body ?? '{}') as { id: string }
    )
    expect(bodies.map((b) => b.id)).toEqual([v.id, v.id])
    const t = r.h.emu.admin.transfers()
    expect(t).toHaveLength(1)
    expect(t[0]?.clientId).toBe(v.id)
    // The history lookup that proved absence covered the attempt.
    const lookups = sentTo(r.transport, '/payment-history/v2/persons/').map((q) => new URL(q.url))
    expect(lookups.some((u) => u.searchParams.get('operation') === 'OUT')).toBe(true)
  })

  it('crash after commit, before the send (attempts = 0): a restarted service sends it once', async () => {
    const { r, id } = await setup()
    const { transfer } = createTransfer(
      r.db,
      {
        walletId: id,
        walletNumber: WALLET,
        clientRequestId: 'c4',
        to: RECIPIENT,
        amountKopecks: 30_00,
        comment: null
      },
      r.clock.now()
    )
    const svc = r.restart()
    const sum = await svc.reconcileAll()
    expect(sum).toMatchObject({ checked: 1, resolved: 1 })
    expect(getTransfer(r.db, id, transfer.clientId)).toMatchObject({ state: 'accepted', attempts: 1 })
    expect(r.h.emu.admin.transfers({ clientId: transfer.clientId })).toHaveLength(1)
    expect(payments(r)).toBe(1)
  })

  it('crash after the send, before the outcome was written (pending, attempts = 1): found in history, never re-sent', async () => {
    const { r, id, token } = await setup()
    const { transfer } = createTransfer(
      r.db,
      {
        walletId: id,
        walletNumber: WALLET,
        clientRequestId: 'c5',
        to: RECIPIENT,
        amountKopecks: 40_00,
        comment: 'x'
      },
      r.clock.now()
    )
    expect(claimAttempt(r.db, id, transfer.clientId, 0, r.clock.now())).not.toBeNull()
    // The send reached QIWI; then the process died.
    const raw = new PersonalClient({ auth: bearerAuth(token), baseUrl: r.h.url, now: r.clock.now })
    expect(
      (
        await raw.transferToWallet({
          clientId: transfer.clientId,
          account: `+${RECIPIENT}`,
          amountKopecks: 40_00,
          comment: 'x'
        })
      ).status
    ).toBe('accepted')
    raw.close()
    r.clock.advance(2 * DEFAULT_RESEND_AFTER_MS)
    const svc = r.restart()
    await svc.reconcileAll()
    const after = getTransfer(r.db, id, transfer.clientId)
    expect(after).toMatchObject({ state: 'accepted', attempts: 1 })
    expect(after?.txnId).toBe(r.h.emu.admin.transfers()[0]?.txnId)
    expect(r.h.emu.admin.transfers()).toHaveLength(1)
    expect(r.h.emu.admin.transfers()[0]?.requestCount).toBe(1)
    expect(payments(r)).toBe(0)
  })

  it('crash after the attempt was recorded but before it left (pending, attempts = 1): proven absent, re-sent once', async () => {
    const { r, id } = await setup()
    const { transfer } = createTransfer(
      r.db,
      {
        walletId: id,
        walletNumber: WALLET,
        clientRequestId: 'c6',
        to: RECIPIENT,
        amountKopecks: 15_00,
        comment: null
      },
      r.clock.now()
    )
    claimAttempt(r.db, id, transfer.clientId, 0, r.clock.now())
    const svc = r.restart()
    await svc.reconcileAll()
    // Too early to call it lost: it becomes waiting, nothing is sent.
    expect(getTransfer(r.db, id, transfer.clientId)).toMatchObject({ state: 'waiting', attempts: 1 })
    expect(payments(r)).toBe(0)
    r.clock.advance(DEFAULT_RESEND_AFTER_MS)
    await svc.reconcileAll()
    expect(getTransfer(r.db, id, transfer.clientId)).toMatchObject({ state: 'accepted', attempts: 2 })
    expect(r.h.emu.admin.transfers()).toHaveLength(1)
    expect(r.h.emu.admin.transfers()[0]?.clientId).toBe(transfer.clientId)
  })

  it('a business refusal (insufficient funds) fails it with QIWI’s code and text; nothing is made', async () => {
    const { r, id } = await setup(5_00)
    const v = await r.service.transfer({ walletId: id, clientRequestId: 'c7', to: RECIPIENT, amount: '100' })
    expect(v.state).toBe('failed')
    expect(v.error?.code).toBe('qiwi-error')
    expect(v.error?.message).toMatch(/QWPRC-220/)
    expect(r.h.emu.admin.transfers()).toHaveLength(0)
    // Final: a reconcile does not touch it.
    expect((await r.service.reconcileTransfer(id, v.id)).state).toBe('failed')
    expect(payments(r)).toBe(1)
  })

  it('a re-send answered 408 ("same payment exists") stays waiting, never failed', async () => {
    const { r, id } = await setup()
    r.h.emu.admin.injectFault({ match: 'payment', kind: 'reset-before-processing' })
    const v = await r.service.transfer({ walletId: id, clientRequestId: 'c8', to: RECIPIENT, amount: '10' })
    r.clock.advance(DEFAULT_RESEND_AFTER_MS)
    r.h.emu.admin.injectFault({
      match: 'payment',
      kind: 'status',
      status: 400,
      body: '{"code":"QWPRC-408","message":"Платеж с таким идентификатором уже существует"}'
    })
    const after = await r.service.reconcileTransfer(id, v.id)
    expect(after.state).toBe('waiting')
    expect(r.h.emu.admin.transfers()).toHaveLength(0)
  })

  it('a payment in history under our id but with other details is not ours: failed, never re-sent', async () => {
    const { r, id } = await setup()
    r.h.emu.admin.injectFault({ match: 'payment', kind: 'reset-before-processing' })
    const v = await r.service.transfer({ walletId: id, clientRequestId: 'c9', to: RECIPIENT, amount: '10' })
    // Another app on the same wallet used the same id scheme.
    r.h.emu.admin.addHistoryItem(WALLET, {
      type: 'OUT',
      amountKopecks: 99_00,
      date: r.clock.now(),
      trmTxnId: v.id,
      account: '+79990001122'
    })
    const after = await r.service.reconcileTransfer(id, v.id)
    expect(after).toMatchObject({ state: 'failed', error: { code: 'qiwi-duplicate-mismatch' } })
    expect(payments(r)).toBe(1)
  })

  it('bad input and unknown wallets record nothing and send nothing', async () => {
    const { r, id } = await setup()
    const cases: [Parameters<typeof r.service.transfer>[0], string][] = [
      [{ walletId: id, clientRequestId: 'b1', to: RECIPIENT, amount: '10.001' }, 'invalid-amount'],
      [{ walletId: id, clientRequestId: 'b2', to: RECIPIENT, amount: '-5' }, 'invalid-amount'],
      [{ walletId: id, clientRequestId: 'b3', to: RECIPIENT, amount: '0' }, 'invalid-amount'],
      [{ walletId: id, clientRequestId: 'b4', to: '12345', amount: '10' }, 'invalid-phone'],
      [{ walletId: id, clientRequestId: 'b5', to: 'abc', amount: '10' }, 'invalid-phone'],
      [{ walletId: id, clientRequestId: 'b6', to: WALLET, amount: '10' }, 'invalid-phone'],
      [
        { walletId: id, clientRequestId: 'b7', to: RECIPIENT, amount: '10', comment: 'a\u0001b' },
        'invalid-input'
      ],
      [{ walletId: 'nope', clientRequestId: 'b8', to: RECIPIENT, amount: '10' }, 'unknown-wallet']
    ]
    for (const [input, code] of cases) expect((await appError(r.service.transfer(input))).code).toBe(code)
    expect((prepared(r.db, 'SELECT count(*) AS n FROM wallet_transfers').get() as { n: number }).n).toBe(0)
    expect((prepared(r.db, 'SELECT count(*) AS n FROM wallet_client_ids').get() as { n: number }).n).toBe(0)
    expect(payments(r)).toBe(0)
  })

  it('a missing keychain entry stops the transfer before anything is recorded', async () => {
    const { r, id } = await setup()
    const ref = (prepared(r.db, 'SELECT credential_ref FROM wallets').get() as { credential_ref: string })
      .credential_ref
    await r.store.delete(ref)
    expect(
      (
        await appError(
          r.service.transfer({ walletId: id, clientRequestId: 'k1', to: RECIPIENT, amount: '1' })
        )
      ).code
    ).toBe('credential-missing')
    expect(r.service.transfers(id)).toHaveLength(0)
  })

  it('a wallet with an unsettled transfer cannot be removed', async () => {
    const { r, id } = await setup()
    r.h.emu.admin.injectFault({ match: 'payment', kind: 'reset-before-processing' })
    await r.service.transfer({ walletId: id, clientRequestId: 'r1', to: RECIPIENT, amount: '1' })
    expect((await appError(r.service.remove(id))).code).toBe('conflict')
    expect(r.service.list()).toHaveLength(1)
    r.clock.advance(DEFAULT_RESEND_AFTER_MS)
    await r.service.reconcileAll()
    expect(await r.service.remove(id)).toEqual({ removed: true })
  })

  it('the periodic reconciler settles open transfers on start (crash recovery)', async () => {
    const { r, id } = await setup()
    const { transfer } = createTransfer(
      r.db,
      {
        walletId: id,
        walletNumber: WALLET,
        clientRequestId: 'p1',
        to: RECIPIENT,
        amountKopecks: 2_00,
        comment: null
      },
      r.clock.now()
    )
    const svc = r.restart()
    const stop = svc.startReconciler({ intervalMs: 50 })
    await vi.waitFor(() => expect(getTransfer(r.db, id, transfer.clientId)?.state).toBe('accepted'), {
      timeout: 5000
    })
    stop()
    expect(r.h.emu.admin.transfers()).toHaveLength(1)
    expect(r.events.some((e) => e.id === transfer.clientId && e.state === 'accepted')).toBe(true)
  })

  it('client ids: unique and increasing within one millisecond and across remove + re-add of the wallet', async () => {
    const { r, id, token } = await setup(100_000_00)
    const ids: string[] = []
    for (let k = 0; k < 5; k++) {
      ids.push(
        (await r.service.transfer({ walletId: id, clientRequestId: `m${k}`, to: RECIPIENT, amount: '1' })).id
      )
    }
    expect(ids.map(Number)).toEqual([0, 1, 2, 3, 4].map((k) => r.clock.now() + k))
    await r.service.remove(id)
    const id2 = (await r.service.addWithToken({ name: 'Again', api: r.h.url, token })).id
    const next = await r.service.transfer({
      walletId: id2,
      clientRequestId: 'm5',
      to: RECIPIENT,
      amount: '1'
    })
    expect(Number(next.id)).toBe(r.clock.now() + 5)
    expect(r.h.emu.admin.transfers()).toHaveLength(6)
  })
})

describe('the transfer state machine in SQLite', () => {
  it('refuses illegal transitions, edits of finals, changes of identity and deletion of open transfers', async () => {
    const { r, id } = await setup()
    const v = await r.service.transfer({ walletId: id, clientRequestId: 's1', to: RECIPIENT, amount: '1' })
    expect(v.state).toBe('accepted')
    const run =
      (sql: string, ...p: unknown[]) =>
      () =>
        prepared(r.db, sql).run(...p)
    expect(
      run("UPDATE wallet_transfers SET state = 'waiting', final_at = NULL WHERE client_id = ?", v.id)
    ).toThrow(/immutable|illegal-transition/)
    expect(run("UPDATE wallet_transfers SET comment = 'x' WHERE client_id = ?", v.id)).toThrow(/immutable/)
    const { transfer } = createTransfer(
      r.db,
      {
        walletId: id,
        walletNumber: WALLET,
        clientRequestId: 's2',
        to: RECIPIENT,
        amountKopecks: 100,
        comment: null
      },
      r.clock.now()
    )
    const c = transfer.clientId
    expect(run('UPDATE wallet_transfers SET amount_kopecks = 101 WHERE client_id = ?', c)).toThrow(
      /immutable/
    )
    expect(run('UPDATE wallet_transfers SET client_id = ? WHERE client_id = ?', '1', c)).toThrow(/immutable/)
    expect(
      run("UPDATE wallet_transfers SET state = 'accepted', txn_id = '1', final_at = 1 WHERE client_id = ?", c)
    ).toThrow(/CHECK/)
    expect(run('DELETE FROM wallet_transfers WHERE client_id = ?', c)).toThrow(/forbidden/)
    expect(
      run(
        "INSERT INTO wallet_transfers (wallet_id, client_id, client_request_id, to_account, amount_kopecks, state, attempts, first_attempt_at, last_attempt_at, txn_id, final_at, created_at, updated_at) VALUES (?, '5', 'x', ?, 1, 'accepted', 1, 1, 1, '9', 1, 1, 1)",
        id,
        RECIPIENT
      )
    ).toThrow(/illegal-transition/)
    claimAttempt(r.db, id, c, 0, r.clock.now())
    expect(run("UPDATE wallet_transfers SET state = 'waiting' WHERE client_id = ?", c)).not.toThrow()
    expect(run("UPDATE wallet_transfers SET state = 'pending' WHERE client_id = ?", c)).toThrow(
      /illegal-transition/
    )
    expect(run('UPDATE wallet_transfers SET attempts = 0 WHERE client_id = ?', c)).toThrow()
    expect(run('UPDATE wallet_client_ids SET last_id = 1')).toThrow(/forbidden/)
    expect(run('DELETE FROM wallet_client_ids')).toThrow(/forbidden/)
  })
})
