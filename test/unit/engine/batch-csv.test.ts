/** The batch CSV reader: exact line numbers (blank lines, CRLF, quoted newlines) and CSV errors. */
import { describe, expect, it } from 'vitest'
import { parseBatchCsv } from '../../../electron/cli/commands/batch'

describe('parseBatchCsv', () => {
  it('keeps the file’s line numbers through CRLF, blank lines and quoted newlines', () => {
    const csv =
      '\uFEFFservice,account,amount,comment\r\nwallet,79181234567,15.00,hi\r\n\r\ncard,4111111111111111,"1,5","two\nlines"\nsbp,79001234567,3.00,\n'
    const r = parseBatchCsv(csv)
    expect(r.problems).toEqual([])
    expect(r.header).toEqual(['service', 'account', 'amount', 'comment'])
    expect(r.rows.map((x) => x.line)).toEqual([2, 4, 6])
    expect(r.rows[1]?.cells).toEqual(['card', '4111111111111111', '1,5', 'two\nlines'])
  })
  it('reports a broken quote with its line', () => {
    const r = parseBatchCsv(
      'service,account,amount,comment\nwallet,79181234567,1.00,ok\nwallet,"7918,2.00,x\n'
    )
    expect(r.problems.length).toBeGreaterThan(0)
    expect(r.problems[0]?.line).toBe(3)
  })
  it('an empty file has no header', () => {
    expect(parseBatchCsv('\n\n').problems[0]?.message).toMatch(/no header/)
  })
})
