/**
 * `qiwi-desk pay`: records a payout (the intent is committed before anything is sent),
 * sends it, prints its transaction-number and state; `--wait` keeps polling until a
 * final status. Exit 0 whenever the payout was recorded — `state` tells its fate
 * (waiting = the outcome is not known yet and the poller owns it).
 */
import { randomUUID } from 'node:crypto'
import type { Command } from 'commander'
import type { PayoutService } from '../../core/db/types'
import type { CliContext } from '../context'
import { badInput, printJson, withEngine } from '../engine-context'
import { cliPayoutObject, humanPayout, waitUntilFinal } from '../payout-output'

const SERVICES: readonly PayoutService[] = ['wallet', 'card', 'card-spec', 'sbp', 'mobile']

interface PayOptions {
  terminal: string
  service: string
  account: string
  amount: string
  comment?: string
  bankId?: string
  cardNumber?: string
  nonCash?: boolean
  precheck: boolean
  wait?: boolean
  waitTimeout?: string
  requestId?: string
}

export function registerPayCommands(program: Command, ctx: CliContext): void {
  program
    .command('pay')
    .description('record a payout and send it to QIWI (prints its transaction-number and state)')
    .requiredOption('--terminal <name>', 'terminal name')
    .requiredOption('--service <service>', SERVICES.join(' | '))
    .requiredOption(
      '--account <account>',
      'wallet/SBP/mobile: phone; card: card number; card-spec: phone (card in --card-number)'
    )
    .requiredOption('--amount <amount>', 'amount in rubles, e.g. 15.00')
    .option('--comment <text>', 'comment (sent with wallet payouts)')
    .option('--bank-id <id>', 'SBP: recipient bank id')
    .option('--card-number <pan>', 'card-spec: the card number')
    .option('--non-cash', 'wallet: the customer paid non-cash (income_wire_transfer=1)')
    .option('--no-precheck', 'wallet: skip check-deposit-possible')
    .option('--wait', 'keep polling until the payout is final')
    .option('--wait-timeout <seconds>', 'give up waiting after this long (default 900)')
    .option('--request-id <id>', 'idempotency key: the same id never records a second payout')
    .action(async (o: PayOptions) => {
      await withEngine(ctx, 'pay', { network: true }, async (e) => {
        if (!(SERVICES as readonly string[]).includes(o.service)) {
          throw badInput(`--service must be one of ${SERVICES.join(', ')}`, 'service')
        }
        const waitTimeout = o.waitTimeout === undefined ? 900 : Number(o.waitTimeout)
        if (!Number.isInteger(waitTimeout) || waitTimeout < 1 || waitTimeout > 86_400) {
          throw badInput('--wait-timeout must be 1..86400 seconds', 'waitTimeout')
        }
        const requestId = o.requestId ?? `cli-${randomUUID()}`
        if (!/^[\x21-\x7e]{8,100}$/.test(requestId)) {
          throw badInput('--request-id must be 8..100 printable characters', 'requestId')
        }
        const t = e.terminalByName(o.terminal)
        let v = await e.engine.createPayout(
          {
            clientRequestId: requestId,
            terminalRef: t.id,
            service: o.service as PayoutService,
            account: o.account,
            amount: o.amount,
            comment: o.comment,
            bankId: o.bankId,
            cardNumber: o.cardNumber,
            incomeWireTransfer: o.nonCash === true,
            precheck: o.precheck
          },
          { awaitSend: true }
        )
        if (o.wait === true && !v.final) v = (await waitUntilFinal(e, v.id, waitTimeout * 1000)) ?? v
        if (ctx.json()) printJson(ctx, cliPayoutObject(v))
        else ctx.out(humanPayout(v))
      })
    })
}
