/**
 * `qiwi-desk batch --terminal N FILE.csv`: payouts from a CSV file.
 *
 * Columns: service,account,amount,comment (header row required; optional extra
 * columns bank_id (SBP) and card_number (card-spec)). The WHOLE file is validated
 * first and every bad row is reported with its line number; if any row is bad nothing
 * is recorded (exit 2). Each row's intent carries batch_key = sha256(file) + line and
 * a client request id derived from it, so running the same file again never pays
 * twice: rows already recorded are reported as existing and not sent again.
 */
import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { SingleBar } from 'cli-progress'
import type { Command } from 'commander'
import Papa from 'papaparse'
import { AppError, isAppError } from '../../../shared/errors'
import type { PayoutService } from '../../core/db/types'
import type { PreparedPayout } from '../../core/engine/types'
import type { CliContext } from '../context'
import { EXIT } from '../context'
import { badInput, printJson, sleep, withEngine } from '../engine-context'

const MAX_FILE_BYTES = 5 * 1024 * 1024
const MAX_ROWS = 10_000
const REQUIRED = ['service', 'account', 'amount'] as const
const OPTIONAL = ['comment', 'bank_id', 'card_number'] as const
const SERVICES: readonly PayoutService[] = ['wallet', 'card', 'card-spec', 'sbp', 'mobile']

export interface RejectedRow {
  line: number
  code: string
  field: string | null
  message: string
}

export interface CsvRow {
  line: number
  cells: string[]
}

/** Parses the file into rows with their 1-based line numbers, or the CSV-level problems. */
export function parseBatchCsv(raw: string): { header: string[]; rows: CsvRow[]; problems: RejectedRow[] } {
  const text = raw.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  const problems: RejectedRow[] = []
  const all: CsvRow[] = []
  // A row starts where the previous one ended; its line is 1 + the newlines before that.
  let start = 0
  let line = 1
  Papa.parse<string[]>(text, {
    newline: '\n',
    delimiter: ',',
    step: (r) => {
      const rowLine = line
      line += countNewlines(text, start, r.meta.cursor)
      start = r.meta.cursor
      for (const e of r.errors) {
        problems.push({ line: rowLine, code: 'invalid-csv', field: null, message: `${e.code}: ${e.message}` })
      }
      if (r.errors.length === 0) all.push({ line: rowLine, cells: r.data })
    }
  })
  const nonEmpty = all.filter((r) => r.cells.some((c) => c.trim() !== ''))
  const first = nonEmpty[0]
  if (!first) {
    if (problems.length === 0) {
      problems.push({ line: 1, code: 'invalid-csv', field: null, message: 'the file has no header row' })
    }
    return { header: [], rows: [], problems }
  }
  return { header: first.cells.map((c) => c.trim().toLowerCase()), rows: nonEmpty.slice(1), problems }
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to && i < text.length; i++) if (text.charCodeAt(i) === 10) n++
  return n
}

interface BatchOptions {
  terminal: string
  precheck: boolean
  wait?: boolean
  waitTimeout?: string
}

export function registerBatchCommand(program: Command, ctx: CliContext): void {
  program
    .command('batch')
    .description('pay every row of a CSV file (service,account,amount,comment); validated as a whole first')
    .requiredOption('--terminal <name>', 'terminal name')
    .argument('<file>', 'CSV file')
    .option('--no-precheck', 'wallet rows: skip check-deposit-possible')
    .option('--wait', 'keep polling until every payout of the file is final')
    .option('--wait-timeout <seconds>', 'give up waiting after this long (default 1800)')
    .action(async (file: string, o: BatchOptions) => {
      await withEngine(ctx, 'batch', { network: true }, async (e) => {
        let size: number
        try {
          size = statSync(file).size
        } catch {
          throw badInput(`cannot read ${file}`, 'file')
        }
        if (size > MAX_FILE_BYTES) throw new AppError('invalid-csv', `${file} is larger than 5 MiB`)
        const bytes = readFileSync(file)
        const sha256 = createHash('sha256').update(bytes).digest('hex')
        const t = e.terminalByName(o.terminal)
        const parsed = parseBatchCsv(bytes.toString('utf8'))
        const rejected: RejectedRow[] = [...parsed.problems]
        const h = parsed.header
        const missing = REQUIRED.filter((c) => !h.includes(c))
        const unknown = h.filter(
          (c) => !(REQUIRED as readonly string[]).includes(c) && !(OPTIONAL as readonly string[]).includes(c)
        )
        if (parsed.header.length > 0 && (missing.length > 0 || unknown.length > 0)) {
          rejected.push({
            line: 1,
            code: 'invalid-csv',
            field: null,
            message: `header must name the columns service,account,amount[,comment,bank_id,card_number]${missing.length > 0 ? `; missing: ${missing.join(', ')}` : ''}${unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''}`
          })
        }
        if (parsed.rows.length > MAX_ROWS) {
          rejected.push({ line: 1, code: 'invalid-csv', field: null, message: `more than ${MAX_ROWS} rows` })
        }
        const col = (row: CsvRow, name: string): string | undefined => {
          const i = h.indexOf(name)
          return i < 0 ? undefined : row.cells[i]?.trim()
        }
        const prepared: { line: number; p: PreparedPayout }[] = []
        if (rejected.length === 0) {
          if (parsed.rows.length === 0) {
            rejected.push({
              line: 2,
              code: 'invalid-csv',
              field: null,
              message: 'the file has no payout rows'
            })
          }
          for (const row of parsed.rows) {
            if (row.cells.length !== h.length) {
              rejected.push({
                line: row.line,
                code: 'invalid-csv',
                field: null,
                message: `expected ${h.length} columns, found ${row.cells.length}`
              })
              continue
            }
            const service = col(row, 'service') ?? ''
            if (!(SERVICES as readonly string[]).includes(service)) {
              rejected.push({
                line: row.line,
                code: 'invalid-input',
                field: 'service',
                message: `service must be one of ${SERVICES.join(', ')}`
              })
              continue
            }
            try {
              const comment = col(row, 'comment')
              const bankId = col(row, 'bank_id')
              const cardNumber = col(row, 'card_number')
              const p = await e.engine.preparePayout({
                clientRequestId: `batch-check-${row.line}`,
                terminalRef: t.id,
                service: service as PayoutService,
                account: col(row, 'account') ?? '',
                amount: col(row, 'amount') ?? '',
                ...(comment !== undefined && comment !== '' ? { comment } : {}),
                ...(bankId !== undefined && bankId !== '' ? { bankId } : {}),
                ...(cardNumber !== undefined && cardNumber !== '' ? { cardNumber } : {}),
                precheck: o.precheck
              })
              prepared.push({ line: row.line, p })
            } catch (x) {
              const ae = isAppError(x) ? x : new AppError('internal', String(x))
              const field = ae.details?.['field']
              rejected.push({
                line: row.line,
                code: ae.code,
                field: typeof field === 'string' ? field : null,
                message: ae.message
              })
            }
          }
        }
        rejected.sort((a, b) => a.line - b.line)
        if (rejected.length > 0) {
          for (const r of rejected) ctx.err(`${file}:${r.line}: ${r.message} [${r.code}]`)
          ctx.err(`qiwi-desk batch: ${rejected.length} bad row(s); nothing was recorded`)
          if (ctx.json()) {
            printJson(ctx, {
              file,
              sha256,
              rows: parsed.rows.length,
              recorded: 0,
              created: 0,
              existing: 0,
              byState: {},
              rejected
            })
          }
          ctx.setExit(EXIT.badInput)
          return
        }

        // Record every intent first (all committed before the first byte of any of them).
        const recorded = await e.engine.recordBatch(
          prepared.map(({ line, p }) => ({
            prepared: p,
            clientRequestId: `batch-${sha256.slice(0, 40)}-${line}`,
            batchKey: `${sha256}:${line}`
          }))
        )
        const ids = recorded.map((r) => r.view.id)
        const created = recorded.filter((r) => r.created).length
        const existing = recorded.length - created
        const bar =
          process.stderr.isTTY === true && !ctx.json()
            ? new SingleBar({
                stream: process.stderr,
                format: 'sending {bar} {value}/{total} payouts',
                hideCursor: true
              })
            : null
        bar?.start(ids.length, 0)
        try {
          for (const id of ids) {
            await e.engine.processPayout(id)
            bar?.increment()
          }
        } finally {
          bar?.stop()
        }
        if (o.wait === true) {
          const timeout = o.waitTimeout === undefined ? 1800 : Number(o.waitTimeout)
          if (!Number.isInteger(timeout) || timeout < 1) {
            throw badInput('--wait-timeout must be a positive number of seconds', 'waitTimeout')
          }
          const end = Date.now() + timeout * 1000
          while (Date.now() < end) {
            const views = ids.map((id) => e.engine.get(id))
            if (views.every((v) => v === null || v.final || v.paused)) break
            await e.engine.runOnce()
            await sleep(1000)
          }
        }
        const byState: Record<string, number> = {}
        for (const id of ids) {
          const v = e.engine.get(id)
          if (v) byState[v.state] = (byState[v.state] ?? 0) + 1
        }
        const summary = {
          file,
          sha256,
          rows: ids.length,
          recorded: ids.length,
          created,
          existing,
          byState,
          rejected
        }
        if (ctx.json()) printJson(ctx, summary)
        else {
          ctx.out(
            `${file}: ${ids.length} payouts (${created} new, ${existing} already recorded by an earlier run)`
          )
          ctx.out(
            `  ${Object.entries(byState)
              .map(([s, n]) => `${s} ${n}`)
              .join(', ')}`
          )
        }
      })
    })
}
