#!/usr/bin/env bash
# The README's test command (`npm test`): everything CI runs after installing.
#   native build check → typecheck → lint → build → vitest (unit + integration, under a
#   private D-Bus session with an unlocked gnome-keyring) → Playwright e2e in Debian's
#   Chromium through the web host → `bench --quick` (checks the suite runs, not timings).
# Every step runs even if an earlier one failed; the last line is "N passed, N failed"
# summed over every runner (a failed typecheck/lint/build/bench step counts as one failure).
set -uo pipefail
cd "$(dirname "$0")/.."

export ELECTRON_SKIP_BINARY_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [[ -z "${npm_config_nodedir:-}" && -f /usr/include/node/node.h ]]; then export npm_config_nodedir=/usr; fi
BIN=./node_modules/.bin
mkdir -p reports test-results
rm -f reports/vitest.json reports/playwright.json

STEP_PASS=0
STEP_FAIL=0
FAILED_STEPS=()
TIMINGS=()
step() {
  local name="$1"
  shift
  echo
  echo "===== $name: $*"
  local t0=$SECONDS
  local counted=1
  [[ "$name" == vitest || "$name" == e2e ]] && counted=0 # counted through their JSON reports
  if "$@"; then
    ((counted)) && STEP_PASS=$((STEP_PASS + 1))
  else
    ((counted)) && STEP_FAIL=$((STEP_FAIL + 1))
    FAILED_STEPS+=("$name")
  fi
  TIMINGS+=("$(printf '%-12s %5ss' "$name" "$((SECONDS - t0))")")
}

step native node scripts/native-abi.mjs node
step typecheck npm run -s typecheck
step lint "$BIN/eslint" --max-warnings 0 .
step build npm run -s build
step vitest scripts/with-keyring.sh "$BIN/vitest" run --reporter=default --reporter=json \
  --outputFile.json=reports/vitest.json
step e2e scripts/with-keyring.sh "$BIN/playwright" test
if [[ -f out/bench/bench.cjs ]]; then step bench node out/bench/bench.cjs --quick; fi

echo
echo "===== timings"
for t in "${TIMINGS[@]}"; do echo "  $t"; done
if ((STEP_FAIL > 0)); then echo "failed steps: ${FAILED_STEPS[*]}"; fi

STEP_PASS=$STEP_PASS STEP_FAIL=$STEP_FAIL node -e '
  const fs = require("fs")
  const read = (f) => { try { return JSON.parse(fs.readFileSync(f, "utf8")) } catch { return null } }
  const v = read("reports/vitest.json")
  const p = read("reports/playwright.json")
  let passed = 0, failed = 0, skipped = 0
  if (v) { passed += v.numPassedTests; failed += v.numFailedTests; skipped += v.numPendingTests + v.numTodoTests
           console.log(`vitest: ${v.numPassedTests} passed, ${v.numFailedTests} failed, ${v.numPendingTests} skipped`) }
  else { failed += 1; console.log("vitest: no report") }
  if (p) { const s = p.stats; passed += s.expected + (s.flaky || 0); failed += s.unexpected; skipped += s.skipped
           console.log(`playwright: ${s.expected} passed, ${s.unexpected} failed, ${s.skipped} skipped`) }
  else { failed += 1; console.log("playwright: no report") }
  // native, typecheck, lint, build and bench count as one check each
  const sp = Number(process.env.STEP_PASS), sf = Number(process.env.STEP_FAIL)
  console.log(`checks: ${sp} steps ok, ${sf} steps failed`)
  passed += sp; failed += sf
  console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""))
  process.exit(failed ? 1 : 0)
'
