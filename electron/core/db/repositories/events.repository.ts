/**
 * payout_events: the append-only journal of every state change, request and reply.
 * Request bodies are redacted here as well as by the request builder, so a
 * password never reaches the database file even if a caller forgets.
 */
import type { Db } from '../connection'
import { prepared, readQuery, writeTransaction } from '../connection'
import type { DbPayoutEventRow } from '../rows'
import { eventFromRow } from '../rows'
import type { NewPayoutEvent, PayoutEvent } from '../types'
import { newEventSchema, parseInput } from '../validate'

/** Bodies longer than this are cut (the HTTP layer caps replies far below it). */
export const MAX_EVENT_BODY_CHARS = 256 * 1024
export const MAX_EVENT_MESSAGE_CHARS = 4000
const TRUNCATED_MARK = '\n<!-- truncated by qiwi-desk -->'

const PASSWORD_EXTRA = /(<extra\s+name\s*=\s*(["'])password\2\s*>)([^<]*)(<\/extra\s*>)/gi
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g

/** Replaces the value of every `<extra name="password">` with *** and drops PEM private keys. */
export function redactBody(body: string): string {
  return body
    .replace(
      PASSWORD_EXTRA,
      (_m, open: string, _q: string, _v: string, close: string) => `${open}***${close}`
    )
    .replace(PRIVATE_KEY, '[private key removed]')
    .replace(/PRIVATE KEY-----/g, 'PRIVATE KEY[removed]')
}

function clip(s: string, max: number, mark: string): string {
  return s.length <= max ? s : s.slice(0, max - mark.length) + mark
}

/**
 * Inserts one journal row. For use inside a caller's write transaction (the
 * payouts repository); `appendEvent` is the standalone form.
 */
export function insertEvent(db: Db, payoutId: number, event: NewPayoutEvent, now: number): PayoutEvent {
  const e = parseInput(newEventSchema, event, 'event')
  const body =
    e.body === null || e.body === undefined
      ? null
      : clip(redactBody(e.body), MAX_EVENT_BODY_CHARS, TRUNCATED_MARK)
  const message =
    e.message === null || e.message === undefined ? null : clip(e.message, MAX_EVENT_MESSAGE_CHARS, '…')
  const row = prepared(
    db,
    `INSERT INTO payout_events
       (payout_id, at, kind, request_type, http_status, body, classification, from_state, to_state, message)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`
  ).get(
    payoutId,
    now,
    e.kind,
    e.requestType ?? null,
    e.httpStatus ?? null,
    body,
    e.classification ?? null,
    e.fromState ?? null,
    e.toState ?? null,
    message
  ) as DbPayoutEventRow
  return eventFromRow(row)
}

/** Appends a journal entry in its own immediate transaction (or a savepoint when nested). */
export function appendEvent(
  db: Db,
  payoutId: number,
  event: NewPayoutEvent,
  now: number = Date.now()
): PayoutEvent {
  return writeTransaction(db, () => insertEvent(db, payoutId, event, now))
}

/** The journal of one payout, oldest first. */
export function listEventsForPayout(db: Db, payoutId: number): PayoutEvent[] {
  return readQuery(db, () =>
    (
      prepared(db, 'SELECT * FROM payout_events WHERE payout_id = ? ORDER BY id').all(
        payoutId
      ) as DbPayoutEventRow[]
    ).map(eventFromRow)
  )
}
