-- 0001_init: the payout engine's durable state.
--
-- APPEND-ONLY. Never edit this file once it has shipped: the runner stores its
-- checksum and refuses a database whose applied migrations differ from the files.
-- Change the schema with a new NNNN_name.sql instead (see docs/STORAGE.md).
--
-- Conventions: times are INTEGER Unix milliseconds; money is INTEGER kopecks;
-- QIWI ids (terminal-id, transaction-number, txn_id) are TEXT; booleans are 0/1;
-- JSON columns are TEXT checked with json_valid. Trigger messages start with a
-- code ("payout-final:", "illegal-transition:", "immutable:", "forbidden:") that
-- electron/core/db/errors.ts maps to an ErrorCode.

-- Bookkeeping for the migration runner (electron/core/db/migrate.ts).
CREATE TABLE schema_migrations (
  version INTEGER PRIMARY KEY NOT NULL CHECK (version > 0),
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  applied_at INTEGER NOT NULL
);

-- One row per configured QIWI agent connection ("terminal"). Secrets are NOT stored
-- here: the *_ref columns hold the account names of keychain entries.
CREATE TABLE terminals (
  id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
  name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100 AND name = trim(name)),
  terminal_id TEXT NOT NULL
    CHECK (length(terminal_id) BETWEEN 1 AND 20 AND terminal_id NOT GLOB '*[^0-9]*' AND terminal_id NOT GLOB '0*'),
  endpoint TEXT NOT NULL
    CHECK (endpoint = 'sandbox'
      OR ((endpoint GLOB 'https://?*' OR endpoint GLOB 'http://?*')
          AND endpoint NOT GLOB 'http*://*/*' AND length(endpoint) <= 255)),
  auth_mode TEXT NOT NULL CHECK (auth_mode IN ('password', 'signature', 'certificate')),
  signature_alg TEXT CHECK (signature_alg IS NULL OR signature_alg IN ('SHA1withRSA', 'MD5withRSA')),
  password_ref TEXT,
  signing_key_ref TEXT,
  signing_passphrase_ref TEXT,
  client_cert_ref TEXT,
  client_cert_passphrase_ref TEXT,
  ca_cert_ref TEXT,
  cert_subject TEXT CHECK (cert_subject IS NULL OR length(cert_subject) <= 1000),
  cert_issuer TEXT CHECK (cert_issuer IS NULL OR length(cert_issuer) <= 1000),
  cert_fingerprint_sha256 TEXT CHECK (cert_fingerprint_sha256 IS NULL OR length(cert_fingerprint_sha256) <= 128),
  cert_not_after INTEGER,
  -- base64 SHA-256 SPKI pins of the QIWI server key (public, not secret)
  server_spki_pins TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(server_spki_pins) AND json_type(server_spki_pins) = 'array'),
  services_allowed TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(services_allowed) AND json_type(services_allowed) = 'array'),
  precheck_absent_wallet_policy TEXT NOT NULL DEFAULT 'decline'
    CHECK (precheck_absent_wallet_policy IN ('pay', 'decline')),
  low_balance_kopecks INTEGER CHECK (low_balance_kopecks IS NULL OR (typeof(low_balance_kopecks) = 'integer' AND low_balance_kopecks >= 0)),
  min_poll_seconds INTEGER NOT NULL DEFAULT 600 CHECK (typeof(min_poll_seconds) = 'integer' AND min_poll_seconds >= 1),
  desk_prefix INTEGER NOT NULL DEFAULT 10 CHECK (typeof(desk_prefix) = 'integer' AND desk_prefix BETWEEN 10 AND 99),
  paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
  paused_reason TEXT CHECK (paused_reason IS NULL OR length(paused_reason) <= 2000),
  paused_code TEXT CHECK (paused_code IS NULL OR length(paused_code) <= 64),
  paused_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK (auth_mode <> 'signature' OR signature_alg IS NOT NULL),
  CHECK (paused = 1 OR (paused_reason IS NULL AND paused_code IS NULL AND paused_at IS NULL)),
  -- A secret reference is a short keychain account name, never the secret itself:
  -- refuse anything that looks like key material.
  CHECK (password_ref IS NULL OR (length(password_ref) BETWEEN 1 AND 200 AND instr(password_ref, '-----') = 0 AND instr(password_ref, char(10)) = 0)),
  CHECK (signing_key_ref IS NULL OR (length(signing_key_ref) BETWEEN 1 AND 200 AND instr(signing_key_ref, '-----') = 0 AND instr(signing_key_ref, char(10)) = 0)),
  CHECK (signing_passphrase_ref IS NULL OR (length(signing_passphrase_ref) BETWEEN 1 AND 200 AND instr(signing_passphrase_ref, '-----') = 0 AND instr(signing_passphrase_ref, char(10)) = 0)),
  CHECK (client_cert_ref IS NULL OR (length(client_cert_ref) BETWEEN 1 AND 200 AND instr(client_cert_ref, '-----') = 0 AND instr(client_cert_ref, char(10)) = 0)),
  CHECK (client_cert_passphrase_ref IS NULL OR (length(client_cert_passphrase_ref) BETWEEN 1 AND 200 AND instr(client_cert_passphrase_ref, '-----') = 0 AND instr(client_cert_passphrase_ref, char(10)) = 0)),
  CHECK (ca_cert_ref IS NULL OR (length(ca_cert_ref) BETWEEN 1 AND 200 AND instr(ca_cert_ref, '-----') = 0 AND instr(ca_cert_ref, char(10)) = 0))
);

-- Payouts already copy the QIWI terminal-id; changing it under them would make the
-- engine poll old payments with another agent's credentials.
CREATE TRIGGER terminals_terminal_id_frozen
BEFORE UPDATE OF terminal_id ON terminals
WHEN NEW.terminal_id IS NOT OLD.terminal_id
  AND EXISTS (SELECT 1 FROM payouts WHERE terminal_ref = OLD.id)
BEGIN
  SELECT RAISE(ABORT, 'immutable: terminal_id of a terminal that has payouts');
END;

-- Transaction-number allocator state (electron/core/db/txn-allocator.ts): the last
-- number issued per QIWI terminal-id and desk prefix. Layout of a number:
-- <desk prefix 10..99><unix ms, 13 digits><sequence, 3 digits> = 18 digits.
CREATE TABLE txn_counters (
  terminal_id TEXT NOT NULL
    CHECK (length(terminal_id) BETWEEN 1 AND 20 AND terminal_id NOT GLOB '*[^0-9]*' AND terminal_id NOT GLOB '0*'),
  desk_prefix INTEGER NOT NULL CHECK (typeof(desk_prefix) = 'integer' AND desk_prefix BETWEEN 10 AND 99),
  last_number INTEGER NOT NULL
    CHECK (typeof(last_number) = 'integer'
      AND last_number >= desk_prefix * 10000000000000000
      AND last_number < (desk_prefix + 1) * 10000000000000000),
  issued INTEGER NOT NULL DEFAULT 0 CHECK (issued >= 0),
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (terminal_id, desk_prefix)
) WITHOUT ROWID;

CREATE TRIGGER txn_counters_monotonic
BEFORE UPDATE ON txn_counters
WHEN NEW.last_number <= OLD.last_number
  OR NEW.terminal_id IS NOT OLD.terminal_id
  OR NEW.desk_prefix IS NOT OLD.desk_prefix
BEGIN
  SELECT RAISE(ABORT, 'forbidden: a transaction-number counter only moves forward');
END;

CREATE TRIGGER txn_counters_no_delete
BEFORE DELETE ON txn_counters
BEGIN
  SELECT RAISE(ABORT, 'forbidden: transaction-number counters are never deleted');
END;

-- One row per payout intent. The row (number + every detail) is committed before
-- the first network byte; see docs/STORAGE.md for the state machine.
CREATE TABLE payouts (
  id INTEGER PRIMARY KEY,
  client_request_id TEXT NOT NULL UNIQUE CHECK (length(client_request_id) BETWEEN 1 AND 128),
  terminal_ref TEXT NOT NULL REFERENCES terminals(id),
  terminal_id TEXT NOT NULL
    CHECK (length(terminal_id) BETWEEN 1 AND 20 AND terminal_id NOT GLOB '*[^0-9]*' AND terminal_id NOT GLOB '0*'),
  transaction_number TEXT NOT NULL
    CHECK (length(transaction_number) BETWEEN 1 AND 20
      AND transaction_number NOT GLOB '*[^0-9]*'
      AND transaction_number NOT GLOB '0*'),
  service TEXT NOT NULL CHECK (service IN ('wallet', 'card', 'card-spec', 'card-foreign', 'sbp', 'mobile')),
  service_id INTEGER NOT NULL,
  account TEXT NOT NULL CHECK (length(account) BETWEEN 1 AND 64),
  account_display TEXT NOT NULL CHECK (length(account_display) BETWEEN 1 AND 64),
  amount_kopecks INTEGER NOT NULL
    CHECK (typeof(amount_kopecks) = 'integer' AND amount_kopecks > 0 AND amount_kopecks <= 99999999999),
  currency TEXT NOT NULL DEFAULT 'RUB'
    CHECK (currency GLOB '[A-Z][A-Z][A-Z]' OR currency GLOB '[0-9][0-9][0-9]'),
  comment TEXT CHECK (comment IS NULL OR length(comment) <= 1000),
  extras TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(extras) AND json_type(extras) = 'object'),
  precheck INTEGER NOT NULL DEFAULT 0 CHECK (precheck IN (0, 1)),
  batch_key TEXT UNIQUE CHECK (batch_key IS NULL OR length(batch_key) BETWEEN 1 AND 200),
  entry_seq INTEGER NOT NULL CHECK (typeof(entry_seq) = 'integer' AND entry_seq > 0),
  state TEXT NOT NULL DEFAULT 'queued'
    CHECK (state IN ('queued', 'sending', 'waiting', 'succeeded', 'failed', 'declined')),
  next_action TEXT,
  pay_sent INTEGER NOT NULL DEFAULT 0 CHECK (pay_sent IN (0, 1)),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (typeof(attempts) = 'integer' AND attempts >= 0),
  next_check_at INTEGER,
  not_found_count INTEGER NOT NULL DEFAULT 0 CHECK (typeof(not_found_count) = 'integer' AND not_found_count >= 0),
  last_not_found_at INTEGER,
  last_status_request_at INTEGER,
  qiwi_status TEXT CHECK (qiwi_status IS NULL OR length(qiwi_status) <= 16),
  result_code TEXT CHECK (result_code IS NULL OR length(result_code) <= 16),
  txn_id TEXT CHECK (txn_id IS NULL OR length(txn_id) BETWEEN 1 AND 64),
  txn_date TEXT CHECK (txn_date IS NULL OR length(txn_date) <= 64),
  fatal INTEGER NOT NULL DEFAULT 0 CHECK (fatal IN (0, 1)),
  error_code TEXT CHECK (error_code IS NULL OR length(error_code) <= 64),
  error_message TEXT CHECK (error_message IS NULL OR length(error_message) <= 2000),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  final_at INTEGER,
  UNIQUE (terminal_id, transaction_number),
  UNIQUE (terminal_ref, entry_seq),
  -- to/service-id is a constant per product (spec §2.3)
  CHECK ((service = 'wallet' AND service_id = 99)
      OR (service = 'card' AND service_id = 34020)
      OR (service = 'card-spec' AND service_id = 32911)
      OR (service = 'card-foreign' AND service_id = 36655)
      OR (service = 'sbp' AND service_id = 38413)
      OR (service = 'mobile' AND service_id = 29130)),
  -- pay_sent is 1 exactly when a pay request may have left the machine
  CHECK ((state IN ('queued', 'declined')) = (pay_sent = 0)),
  CHECK ((state IN ('succeeded', 'failed', 'declined')) = (final_at IS NOT NULL)),
  CHECK ((state IN ('succeeded', 'failed', 'declined')) = (next_check_at IS NULL)),
  CHECK (CASE state
    WHEN 'queued' THEN coalesce(next_action, '') IN ('precheck', 'pay')
    WHEN 'sending' THEN coalesce(next_action, '') IN ('pay', 'status')
    WHEN 'waiting' THEN coalesce(next_action, '') IN ('pay', 'status')
    ELSE next_action IS NULL
  END)
);

CREATE INDEX payouts_created_at ON payouts (created_at);
CREATE INDEX payouts_state_created_at ON payouts (state, created_at);
CREATE INDEX payouts_service_created_at ON payouts (service, created_at);
CREATE INDEX payouts_terminal_created_at ON payouts (terminal_ref, created_at);
CREATE INDEX payouts_account ON payouts (account);
CREATE INDEX payouts_transaction_number ON payouts (transaction_number);
CREATE INDEX payouts_txn_id ON payouts (txn_id) WHERE txn_id IS NOT NULL;
CREATE INDEX payouts_amount ON payouts (amount_kopecks);
CREATE INDEX payouts_due ON payouts (next_check_at) WHERE state IN ('queued', 'sending', 'waiting');

-- A new intent is always queued and unsent; nothing can be inserted "already paid".
CREATE TRIGGER payouts_insert_queued
BEFORE INSERT ON payouts
WHEN NEW.state IS NOT 'queued' OR NEW.pay_sent IS NOT 0 OR NEW.final_at IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'illegal-transition: a payout starts queued and unsent');
END;

-- The terminal-id copy must be the terminal's own id at creation time.
CREATE TRIGGER payouts_insert_terminal_id
BEFORE INSERT ON payouts
WHEN NEW.terminal_id IS NOT (SELECT terminal_id FROM terminals WHERE id = NEW.terminal_ref)
BEGIN
  SELECT RAISE(ABORT, 'immutable: payouts.terminal_id must equal the terminal''s terminal_id');
END;

CREATE TRIGGER payouts_no_delete
BEFORE DELETE ON payouts
BEGIN
  SELECT RAISE(ABORT, 'forbidden: payouts are never deleted');
END;

-- Finals are immutable: no column of a succeeded/failed/declined row may change.
CREATE TRIGGER payouts_final_immutable
BEFORE UPDATE ON payouts
WHEN OLD.state IN ('succeeded', 'failed', 'declined')
BEGIN
  SELECT RAISE(ABORT, 'payout-final: a final payout is immutable');
END;

-- What was (or may have been) sent to QIWI never changes: the number and details
-- are the idempotency key (spec §8.4), and a different detail gives result 215.
CREATE TRIGGER payouts_identity_immutable
BEFORE UPDATE ON payouts
WHEN OLD.state NOT IN ('succeeded', 'failed', 'declined') AND (
     NEW.id IS NOT OLD.id
  OR NEW.client_request_id IS NOT OLD.client_request_id
  OR NEW.terminal_ref IS NOT OLD.terminal_ref
  OR NEW.terminal_id IS NOT OLD.terminal_id
  OR NEW.transaction_number IS NOT OLD.transaction_number
  OR NEW.service IS NOT OLD.service
  OR NEW.service_id IS NOT OLD.service_id
  OR NEW.account IS NOT OLD.account
  OR NEW.account_display IS NOT OLD.account_display
  OR NEW.amount_kopecks IS NOT OLD.amount_kopecks
  OR NEW.currency IS NOT OLD.currency
  OR NEW.comment IS NOT OLD.comment
  OR NEW.extras IS NOT OLD.extras
  OR NEW.precheck IS NOT OLD.precheck
  OR NEW.batch_key IS NOT OLD.batch_key
  OR NEW.entry_seq IS NOT OLD.entry_seq
  OR NEW.created_at IS NOT OLD.created_at)
BEGIN
  SELECT RAISE(ABORT, 'immutable: identity and detail columns of a payout never change');
END;

CREATE TRIGGER payouts_pay_sent_sticky
BEFORE UPDATE OF pay_sent ON payouts
WHEN OLD.state NOT IN ('succeeded', 'failed', 'declined') AND OLD.pay_sent = 1 AND NEW.pay_sent IS NOT 1
BEGIN
  SELECT RAISE(ABORT, 'illegal-transition: pay_sent never goes back to 0');
END;

CREATE TRIGGER payouts_legal_transition
BEFORE UPDATE ON payouts
WHEN OLD.state NOT IN ('succeeded', 'failed', 'declined') AND NOT (
     (OLD.state = 'queued' AND NEW.state IN ('queued', 'sending', 'declined'))
  OR (OLD.state = 'sending' AND NEW.state IN ('sending', 'waiting', 'succeeded', 'failed'))
  OR (OLD.state = 'waiting' AND NEW.state IN ('waiting', 'sending', 'succeeded', 'failed')))
BEGIN
  SELECT RAISE(ABORT, 'illegal-transition: ' || OLD.state || ' -> ' || coalesce(NEW.state, 'NULL'));
END;

-- A local decline is only possible while nothing was sent (spec §8.1 rule 5).
CREATE TRIGGER payouts_declined_unsent
BEFORE UPDATE ON payouts
WHEN OLD.state NOT IN ('succeeded', 'failed', 'declined')
  AND NEW.state = 'declined' AND (OLD.pay_sent IS NOT 0 OR NEW.pay_sent IS NOT 0)
BEGIN
  SELECT RAISE(ABORT, 'illegal-transition: declined requires that pay was never sent');
END;

-- The journal: append-only.
CREATE TABLE payout_events (
  id INTEGER PRIMARY KEY,
  payout_id INTEGER NOT NULL REFERENCES payouts(id),
  at INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('state', 'request', 'reply', 'error', 'note')),
  request_type TEXT CHECK (request_type IS NULL OR length(request_type) BETWEEN 1 AND 64),
  http_status INTEGER CHECK (http_status IS NULL OR (typeof(http_status) = 'integer' AND http_status BETWEEN 0 AND 999)),
  -- redacted request XML or raw reply XML; a cleartext password or a private key is refused
  body TEXT CHECK (body IS NULL OR (
    length(body) <= 262144
    AND body NOT GLOB '*name=[''"]password[''"]>[^*]*'
    AND instr(body, 'PRIVATE KEY-----') = 0)),
  classification TEXT CHECK (classification IS NULL OR length(classification) <= 64),
  from_state TEXT CHECK (from_state IS NULL OR from_state IN ('queued', 'sending', 'waiting', 'succeeded', 'failed', 'declined')),
  to_state TEXT CHECK (to_state IS NULL OR to_state IN ('queued', 'sending', 'waiting', 'succeeded', 'failed', 'declined')),
  message TEXT CHECK (message IS NULL OR length(message) <= 4000)
);

CREATE INDEX payout_events_by_payout ON payout_events (payout_id, id);

CREATE TRIGGER payout_events_no_update
BEFORE UPDATE ON payout_events
BEGIN
  SELECT RAISE(ABORT, 'forbidden: the payout journal is append-only');
END;

CREATE TRIGGER payout_events_no_delete
BEFORE DELETE ON payout_events
BEGIN
  SELECT RAISE(ABORT, 'forbidden: the payout journal is append-only');
END;

-- Operator alerts. An open alert with the same (terminal, payout, kind, code) is
-- bumped (count, last_at) instead of duplicated.
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  terminal_ref TEXT REFERENCES terminals(id) ON DELETE SET NULL,
  payout_id INTEGER REFERENCES payouts(id),
  kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40 AND kind GLOB '[a-z]*' AND kind NOT GLOB '*[^a-z-]*'),
  code TEXT CHECK (code IS NULL OR length(code) BETWEEN 1 AND 64),
  message TEXT NOT NULL CHECK (length(message) <= 4000),
  count INTEGER NOT NULL DEFAULT 1 CHECK (typeof(count) = 'integer' AND count >= 1),
  created_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  acknowledged_at INTEGER
);

CREATE INDEX alerts_created_at ON alerts (created_at);
CREATE INDEX alerts_open ON alerts (kind, code) WHERE acknowledged_at IS NULL;

-- Last known agent balance per terminal and currency (from ping/pay replies).
CREATE TABLE agent_balances (
  terminal_ref TEXT NOT NULL REFERENCES terminals(id) ON DELETE CASCADE,
  currency TEXT NOT NULL CHECK (currency GLOB '[0-9][0-9][0-9]' OR currency GLOB '[A-Z][A-Z][A-Z]'),
  amount TEXT NOT NULL
    CHECK ((amount GLOB '[0-9]*.[0-9][0-9]' OR amount GLOB '-[0-9]*.[0-9][0-9]')
      AND substr(amount, 2) NOT GLOB '*[^0-9.]*'
      AND length(amount) - length(replace(amount, '.', '')) = 1
      AND length(amount) <= 24),
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (terminal_ref, currency)
) WITHOUT ROWID;

-- Non-secret application settings (language, theme, ...), values are JSON.
CREATE TABLE settings (
  key TEXT PRIMARY KEY NOT NULL CHECK (length(key) BETWEEN 1 AND 100),
  value TEXT NOT NULL CHECK (json_valid(value)),
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
