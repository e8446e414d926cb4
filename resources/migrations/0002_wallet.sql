-- 0002_wallet: the wallet owner's side (QIWI personal API): logged-in wallets, the
-- offline history cache and transfers to wallet 99. See docs/WALLET.md.
--
-- APPEND-ONLY once shipped (the runner checks the checksum). Conventions as in 0001:
-- times are INTEGER Unix ms; money is INTEGER minor units (kopecks) next to the
-- decimal string QIWI sent; QIWI ids (txnId, trmTxnId, client ids) are TEXT digits
-- (they may exceed 2^53); JSON columns are checked with json_valid. Trigger messages
-- start with "immutable:", "forbidden:" or "illegal-transition:" (electron/core/db/errors.ts).

-- One row per wallet logged in on this desk. No secret is stored here: credential_ref
-- is the keychain account name of the token or the CAS login+password entry.
CREATE TABLE wallets (
  id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
  name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 60 AND name = trim(name)),
  -- wallet number (phone) in international format without '+'
  wallet TEXT NOT NULL CHECK (length(wallet) BETWEEN 5 AND 15 AND wallet NOT GLOB '*[^0-9]*'),
  -- 'sandbox' (the embedded emulator, resolved at run time) or an origin without a path
  api TEXT NOT NULL
    CHECK (api = 'sandbox'
      OR ((api GLOB 'https://?*' OR api GLOB 'http://?*')
          AND api NOT GLOB 'http*://*/*' AND length(api) <= 200)),
  auth_kind TEXT NOT NULL CHECK (auth_kind IN ('token', 'cas')),
  credential_ref TEXT NOT NULL
    CHECK (length(credential_ref) BETWEEN 1 AND 200
      AND instr(credential_ref, '-----') = 0 AND instr(credential_ref, char(10)) = 0
      AND instr(credential_ref, ' ') = 0),
  -- CAS options (spec personal-api §10, P5): {"casBaseUrl", "headerScheme", "service"}; NULL for tokens
  auth_base TEXT CHECK (auth_base IS NULL OR (json_valid(auth_base) AND json_type(auth_base) = 'object')),
  -- probed at login: {"profile": "granted"|"missing"|"error", "balance": …, "history": …, "payments": …}
  permissions TEXT NOT NULL CHECK (json_valid(permissions) AND json_type(permissions) = 'object'),
  -- profile userInfo.defaultPayCurrency (ISO 4217 numeric), for the default account mark
  default_currency TEXT CHECK (default_currency IS NULL OR default_currency GLOB '[0-9][0-9][0-9]'),
  token_added_at INTEGER,
  last_sync_at INTEGER,
  -- Sync watermarks: every item dated in [synced_from, synced_until] has been fetched by a
  -- sync that reached the end of the cursor. NULL until the first complete sync.
  synced_from INTEGER,
  synced_until INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (api, wallet),
  CHECK ((auth_kind = 'token') = (token_added_at IS NOT NULL)),
  CHECK ((auth_kind = 'cas') = (auth_base IS NOT NULL)),
  CHECK ((synced_from IS NULL) = (synced_until IS NULL)),
  CHECK (synced_from IS NULL OR synced_from <= synced_until)
);

-- The history cache. Keyed by (wallet_id, txn_id, type): both halves of a conversion
-- (one txnId, an OUT and an IN) are kept. A rowid table so the search index below can
-- point at its rows.
CREATE TABLE wallet_history (
  id INTEGER PRIMARY KEY,
  wallet_id TEXT NOT NULL REFERENCES wallets(id) ON DELETE CASCADE,
  txn_id TEXT NOT NULL CHECK (length(txn_id) BETWEEN 1 AND 20 AND txn_id NOT GLOB '*[^0-9]*'),
  type TEXT NOT NULL CHECK (type IN ('IN', 'OUT', 'QIWI_CARD')),
  status TEXT NOT NULL CHECK (status IN ('WAITING', 'SUCCESS', 'ERROR')),
  status_text TEXT CHECK (status_text IS NULL OR length(status_text) <= 4096),
  -- the date exactly as QIWI sent it (offset kept) and the same instant in Unix ms
  date TEXT NOT NULL CHECK (length(date) BETWEEN 16 AND 40),
  at INTEGER NOT NULL CHECK (typeof(at) = 'integer'),
  error_code INTEGER NOT NULL DEFAULT 0 CHECK (typeof(error_code) = 'integer'),
  error TEXT CHECK (error IS NULL OR length(error) <= 4096),
  account TEXT CHECK (account IS NULL OR length(account) <= 4096),
  person_id TEXT CHECK (person_id IS NULL OR length(person_id) <= 20),
  -- ISO 4217 numeric as QIWI sends it (an unknown alphabetic code is kept as sent)
  currency TEXT NOT NULL CHECK (currency GLOB '[0-9][0-9][0-9]' OR currency GLOB '[A-Z][A-Z][A-Z]'),
  sum_kopecks INTEGER NOT NULL CHECK (typeof(sum_kopecks) = 'integer'),
  sum_amount TEXT NOT NULL CHECK (sum_amount GLOB '[0-9]*.[0-9][0-9]' OR sum_amount GLOB '-[0-9]*.[0-9][0-9]'),
  commission_kopecks INTEGER CHECK (commission_kopecks IS NULL OR typeof(commission_kopecks) = 'integer'),
  commission_amount TEXT
    CHECK (commission_amount IS NULL OR commission_amount GLOB '[0-9]*.[0-9][0-9]' OR commission_amount GLOB '-[0-9]*.[0-9][0-9]'),
  commission_currency TEXT
    CHECK (commission_currency IS NULL OR commission_currency GLOB '[0-9][0-9][0-9]' OR commission_currency GLOB '[A-Z][A-Z][A-Z]'),
  total_kopecks INTEGER NOT NULL CHECK (typeof(total_kopecks) = 'integer'),
  total_amount TEXT NOT NULL CHECK (total_amount GLOB '[0-9]*.[0-9][0-9]' OR total_amount GLOB '-[0-9]*.[0-9][0-9]'),
  total_currency TEXT NOT NULL CHECK (total_currency GLOB '[0-9][0-9][0-9]' OR total_currency GLOB '[A-Z][A-Z][A-Z]'),
  provider_id TEXT CHECK (provider_id IS NULL OR length(provider_id) <= 20),
  provider_name TEXT CHECK (provider_name IS NULL OR length(provider_name) <= 4096),
  comment TEXT CHECK (comment IS NULL OR length(comment) <= 4096),
  trm_txn_id TEXT CHECK (trm_txn_id IS NULL OR length(trm_txn_id) <= 4096),
  currency_rate TEXT CHECK (currency_rate IS NULL OR length(currency_rate) <= 64),
  fetched_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (wallet_id, txn_id, type),
  CHECK ((commission_kopecks IS NULL) = (commission_amount IS NULL)),
  CHECK ((commission_kopecks IS NULL) = (commission_currency IS NULL))
);

CREATE INDEX wallet_history_at ON wallet_history (wallet_id, at DESC, txn_id DESC);
CREATE INDEX wallet_history_type_at ON wallet_history (wallet_id, type, at);
CREATE INDEX wallet_history_status_at ON wallet_history (wallet_id, status, at);
CREATE INDEX wallet_history_currency_at ON wallet_history (wallet_id, currency, at);
CREATE INDEX wallet_history_trm ON wallet_history (wallet_id, trm_txn_id) WHERE trm_txn_id IS NOT NULL;

-- Substring search over txnId, trmTxnId, account, comment and provider (trigram FTS5:
-- case-insensitive for Cyrillic too, any substring of ≥ 3 characters). External
-- content: the text lives once, in wallet_history; the triggers keep the index in step.
CREATE VIRTUAL TABLE wallet_history_fts USING fts5(
  txn_id, trm_txn_id, account, comment, provider_name,
  content = 'wallet_history', content_rowid = 'id', tokenize = 'trigram'
);

CREATE TRIGGER wallet_history_fts_insert AFTER INSERT ON wallet_history
BEGIN
  INSERT INTO wallet_history_fts (rowid, txn_id, trm_txn_id, account, comment, provider_name)
  VALUES (NEW.id, NEW.txn_id, NEW.trm_txn_id, NEW.account, NEW.comment, NEW.provider_name);
END;

CREATE TRIGGER wallet_history_fts_delete AFTER DELETE ON wallet_history
BEGIN
  INSERT INTO wallet_history_fts (wallet_history_fts, rowid, txn_id, trm_txn_id, account, comment, provider_name)
  VALUES ('delete', OLD.id, OLD.txn_id, OLD.trm_txn_id, OLD.account, OLD.comment, OLD.provider_name);
END;

CREATE TRIGGER wallet_history_fts_update AFTER UPDATE OF txn_id, trm_txn_id, account, comment, provider_name ON wallet_history
BEGIN
  INSERT INTO wallet_history_fts (wallet_history_fts, rowid, txn_id, trm_txn_id, account, comment, provider_name)
  VALUES ('delete', OLD.id, OLD.txn_id, OLD.trm_txn_id, OLD.account, OLD.comment, OLD.provider_name);
  INSERT INTO wallet_history_fts (rowid, txn_id, trm_txn_id, account, comment, provider_name)
  VALUES (NEW.id, NEW.txn_id, NEW.trm_txn_id, NEW.account, NEW.comment, NEW.provider_name);
END;

CREATE TRIGGER wallet_history_key_immutable
BEFORE UPDATE OF wallet_id, txn_id, type ON wallet_history
WHEN NEW.wallet_id IS NOT OLD.wallet_id OR NEW.txn_id IS NOT OLD.txn_id OR NEW.type IS NOT OLD.type
BEGIN
  SELECT RAISE(ABORT, 'immutable: the key of a cached history item never changes');
END;

-- Client-id allocator for transfers (spec personal-api §7.1: ≤ 20 digits, unique and
-- increasing per wallet). Keyed by the wallet NUMBER, not the row, and never deleted,
-- so removing and re-adding a wallet cannot reissue an id. next = max(last + 1, now ms).
CREATE TABLE wallet_client_ids (
  wallet TEXT PRIMARY KEY NOT NULL CHECK (length(wallet) BETWEEN 5 AND 15 AND wallet NOT GLOB '*[^0-9]*'),
  last_id INTEGER NOT NULL CHECK (typeof(last_id) = 'integer' AND last_id > 0),
  issued INTEGER NOT NULL DEFAULT 0 CHECK (typeof(issued) = 'integer' AND issued >= 0),
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER wallet_client_ids_monotonic
BEFORE UPDATE ON wallet_client_ids
WHEN NEW.last_id <= OLD.last_id OR NEW.wallet IS NOT OLD.wallet
BEGIN
  SELECT RAISE(ABORT, 'forbidden: a transfer client-id counter only moves forward');
END;

CREATE TRIGGER wallet_client_ids_no_delete
BEFORE DELETE ON wallet_client_ids
BEGIN
  SELECT RAISE(ABORT, 'forbidden: transfer client-id counters are never deleted');
END;

-- Transfers to a QIWI wallet (provider 99). The row, with its client id, is committed
-- BEFORE the first byte is sent; see docs/WALLET.md for the state machine:
--   pending → accepted | waiting | failed;  waiting → accepted | failed;  finals immutable.
-- attempts counts sends that may have left the machine (incremented and committed
-- before each send): pending with attempts = 0 was certainly never sent.
CREATE TABLE wallet_transfers (
  wallet_id TEXT NOT NULL REFERENCES wallets(id) ON DELETE CASCADE,
  client_id TEXT NOT NULL
    CHECK (length(client_id) BETWEEN 1 AND 20 AND client_id NOT GLOB '*[^0-9]*' AND client_id NOT GLOB '0*'),
  -- the UI's id for the user action (double click, IPC replay → one transfer)
  client_request_id TEXT NOT NULL CHECK (length(client_request_id) BETWEEN 1 AND 128),
  -- recipient wallet, international format without '+'
  to_account TEXT NOT NULL CHECK (length(to_account) BETWEEN 10 AND 15 AND to_account NOT GLOB '*[^0-9]*'),
  amount_kopecks INTEGER NOT NULL
    CHECK (typeof(amount_kopecks) = 'integer' AND amount_kopecks > 0 AND amount_kopecks <= 99999999999),
  currency TEXT NOT NULL DEFAULT '643' CHECK (currency = '643'),
  comment TEXT CHECK (comment IS NULL OR length(comment) <= 1000),
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'waiting', 'failed')),
  txn_id TEXT CHECK (txn_id IS NULL OR (length(txn_id) BETWEEN 1 AND 20 AND txn_id NOT GLOB '*[^0-9]*')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (typeof(attempts) = 'integer' AND attempts >= 0),
  first_attempt_at INTEGER,
  last_attempt_at INTEGER,
  next_check_at INTEGER,
  error_code TEXT CHECK (error_code IS NULL OR length(error_code) <= 64),
  error_message TEXT CHECK (error_message IS NULL OR length(error_message) <= 2000),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  final_at INTEGER,
  PRIMARY KEY (wallet_id, client_id),
  UNIQUE (wallet_id, client_request_id),
  CHECK ((attempts = 0) = (first_attempt_at IS NULL)),
  CHECK ((attempts = 0) = (last_attempt_at IS NULL)),
  CHECK (state = 'pending' OR attempts > 0),
  CHECK ((state IN ('accepted', 'failed')) = (final_at IS NOT NULL)),
  CHECK (state <> 'accepted' OR txn_id IS NOT NULL),
  CHECK (state <> 'failed' OR error_code IS NOT NULL),
  CHECK (state NOT IN ('accepted', 'failed') OR next_check_at IS NULL)
);

CREATE INDEX wallet_transfers_created ON wallet_transfers (wallet_id, created_at);
CREATE INDEX wallet_transfers_open ON wallet_transfers (next_check_at) WHERE state IN ('pending', 'waiting');

CREATE TRIGGER wallet_transfers_insert_pending
BEFORE INSERT ON wallet_transfers
WHEN NEW.state IS NOT 'pending' OR NEW.attempts IS NOT 0 OR NEW.txn_id IS NOT NULL OR NEW.final_at IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'illegal-transition: a transfer starts pending and unsent');
END;

CREATE TRIGGER wallet_transfers_final_immutable
BEFORE UPDATE ON wallet_transfers
WHEN OLD.state IN ('accepted', 'failed')
BEGIN
  SELECT RAISE(ABORT, 'immutable: a final transfer never changes');
END;

CREATE TRIGGER wallet_transfers_legal_transition
BEFORE UPDATE OF state ON wallet_transfers
WHEN NOT (
     (OLD.state = 'pending' AND NEW.state IN ('pending', 'accepted', 'waiting', 'failed'))
  OR (OLD.state = 'waiting' AND NEW.state IN ('waiting', 'accepted', 'failed')))
BEGIN
  SELECT RAISE(ABORT, 'illegal-transition: transfer ' || OLD.state || ' -> ' || coalesce(NEW.state, 'NULL'));
END;

-- What was (or may have been) sent never changes: the client id and the details are
-- what a re-send must repeat exactly.
CREATE TRIGGER wallet_transfers_identity_immutable
BEFORE UPDATE ON wallet_transfers
WHEN NEW.wallet_id IS NOT OLD.wallet_id
  OR NEW.client_id IS NOT OLD.client_id
  OR NEW.client_request_id IS NOT OLD.client_request_id
  OR NEW.to_account IS NOT OLD.to_account
  OR NEW.amount_kopecks IS NOT OLD.amount_kopecks
  OR NEW.currency IS NOT OLD.currency
  OR NEW.comment IS NOT OLD.comment
  OR NEW.created_at IS NOT OLD.created_at
  OR NEW.attempts < OLD.attempts
  OR NEW.first_attempt_at IS NOT coalesce(OLD.first_attempt_at, NEW.first_attempt_at)
BEGIN
  SELECT RAISE(ABORT, 'immutable: identity, details and attempt count of a transfer never go back');
END;

-- An unresolved transfer must not vanish (also blocks removing its wallet): its outcome
-- is unknown until reconciled through history.
CREATE TRIGGER wallet_transfers_open_no_delete
BEFORE DELETE ON wallet_transfers
WHEN OLD.state IN ('pending', 'waiting')
BEGIN
  SELECT RAISE(ABORT, 'forbidden: a transfer that is not final cannot be deleted');
END;
