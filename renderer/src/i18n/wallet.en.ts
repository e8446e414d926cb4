import type { WalletMessages } from './wallet.ru'

/** English strings of the wallet screens; typed against Russian so no key is missing. */
export const walletEn: WalletMessages = {
  wallet: {
    switcher: 'Wallets',
    addWallet: '+ Add wallet',
    sections: {
      label: 'Wallet sections',
      overview: 'Overview',
      history: 'History',
      totals: 'Totals',
      transfer: 'Transfer'
    },
    blocked:
      'Unavailable: the token lacks the “{{scope}}” permission. Issue a token with it and log in again.',
    common: {
      loading: 'Loading…',
      cancel: 'Cancel',
      close: 'Close',
      supportCode: 'Support code: {{code}}',
      technicalDetails: 'Details'
    },
    login: {
      title: 'Log in to a wallet',
      intro:
        'Paste your QIWI Wallet API token: the app checks it at once and shows which permissions it has. The token is kept in the OS keychain and sent nowhere but to the wallet server.',
      mode: 'Login method',
      mode_token: 'With an API token',
      mode_cas: 'With login and password (legacy)',
      name: 'Name',
      nameRequired: 'Enter a name for the wallet',
      defaultName: 'My wallet',
      defaultNameN: 'Wallet {{n}}',
      api: 'Server',
      apiSandbox: 'Embedded sandbox',
      apiEdge: 'QIWI ({{url}})',
      apiCustom: 'Other address…',
      apiCustomUrl: 'API server address',
      apiRequired: 'Enter the server address',
      token: 'API token',
      showToken: 'show',
      tokenHint: 'Tokens are issued at qiwi.com/api. You may paste it with the word Bearer: it is removed.',
      tokenRequired: 'Paste the token (at least 8 characters)',
      casLogin: 'Wallet number',
      casPassword: 'Wallet password',
      passwordRequired: 'Enter the password',
      authBase: 'Authorization server',
      authBasePlaceholder: 'default: derived from the server',
      casHint:
        'Legacy login through QIWI CAS tickets. The password is used only to obtain a ticket and is not stored.',
      checking: 'Checking…',
      submitToken: 'Check token and log in',
      submitCas: 'Log in',
      failed: 'Login failed',
      scopesTitle: 'Token permissions',
      lifetimeNote:
        'A token is valid for 180 days from issue. QIWI no longer issues new tokens: use one you already have.'
    },
    phone: {
      empty: 'Enter the number',
      format: 'A number may contain only digits, spaces, brackets, dashes and “+”',
      country: 'Enter the number with its country code: +7…',
      length: 'Wrong number length: Russian numbers have 11 digits (+7 and 10 digits)'
    },
    scopes: {
      profile: 'Profile',
      balance: 'Balance',
      history: 'Payment history',
      payments: 'Payments without SMS'
    },
    features: {
      profile: 'checking the wallet and its number',
      balances: 'account balances',
      history: 'history',
      totals: 'totals and chart',
      export: 'CSV export',
      transfer: 'transfers and commission lookup'
    },
    permState: {
      granted: 'granted',
      missing: 'missing',
      error: 'could not be checked'
    },
    permEffect: {
      granted: 'Available: {{features}}.',
      missing: 'Unavailable: {{features}}.',
      error: 'Could not be checked (offline?). You can still try: {{features}}.'
    },
    token: {
      cas: 'Logged in with login and password: the QIWI server decides how long the session lasts; the 180-day token limit does not apply.',
      unknown: 'The date the token was added is unknown.',
      added_one: 'Token added on {{date}} ({{count}} day ago).',
      added_few: 'Token added on {{date}} ({{count}} days ago).',
      added_many: 'Token added on {{date}} ({{count}} days ago).',
      added_other: 'Token added on {{date}} ({{count}} days ago).',
      expires: 'Expires on {{date}} at the latest.',
      soon_one:
        'The token expires in {{count}} day. After that the wallet stops answering: have a new token ready.',
      soon_few:
        'The token expires in {{count}} days. After that the wallet stops answering: have a new token ready.',
      soon_many:
        'The token expires in {{count}} days. After that the wallet stops answering: have a new token ready.',
      soon_other:
        'The token expires in {{count}} days. After that the wallet stops answering: have a new token ready.',
      expired: 'The token’s 180 days are over. Log out of the wallet and log in with a new token.',
      soonShort: 'Token expires soon',
      expiredShort: 'Token expired',
      lifetimeNote:
        'QIWI documents a token lifetime of 180 days from issue. The app only knows when the token was added here: a token issued earlier expires earlier.'
    },
    access: {
      title: 'Access',
      logout: 'Log out of wallet',
      addedToken: 'Token checked, wallet added. Its permissions are listed below.',
      addedCas: 'Logged in, wallet added.',
      confirmTitle: 'Log out of “{{name}}”?',
      confirmText:
        'The token and the saved history of this wallet are removed from this computer. Transfers and the money in the wallet are not affected.',
      confirmLogout: 'Log out and remove',
      loggingOut: 'Logging out…',
      number: 'Wallet number',
      authKind: 'Login',
      auth_token: 'API token',
      auth_cas: 'login and password (CAS)',
      server: 'Server',
      sessionTitle: 'Login lifetime',
      tokenTitle: 'Token lifetime',
      permsTitle: 'Permissions',
      missingBanner: 'The token lacks permissions: {{scopes}}. The related sections are unavailable.'
    },
    balances: {
      kind_wallet: 'QIWI Wallet, {{currency}}',
      kind_mobile: 'Mobile phone account',
      kind_card: 'QIWI card',
      title: 'Balances',
      refresh: 'Refresh',
      none: 'No accounts.',
      default: 'default',
      noBalance: 'balance not reported',
      asOf: 'As of {{time}} (Moscow)'
    },
    operation: {
      ALL: 'All',
      IN: 'Top-ups',
      OUT: 'Payments',
      QIWI_CARD: 'QIWI card payments'
    },
    type: {
      IN: 'Top-up',
      OUT: 'Payment',
      QIWI_CARD: 'QIWI card'
    },
    status: {
      SUCCESS: 'Success',
      WAITING: 'Processing',
      ERROR: 'Error'
    },
    history: {
      title: 'History',
      tableLabel: 'Wallet operations',
      columns: {
        date: 'Date (Moscow)',
        type: 'Type',
        account: 'Account / party',
        provider: 'Service and comment',
        amount: 'Amount',
        status: 'Status'
      },
      empty: 'No operations.',
      sync: 'Sync',
      syncing: 'Syncing…',
      lastSync: 'Synced: {{time}} (Moscow)',
      neverSynced: 'Not synced yet',
      export: 'Export CSV',
      exporting: 'Exporting…',
      exported_one: 'Exported {{count}} row to {{file}}',
      exported_few: 'Exported {{count}} rows to {{file}}',
      exported_many: 'Exported {{count}} rows to {{file}}',
      exported_other: 'Exported {{count}} rows to {{file}}',
      synced_one: 'History updated: {{count}} new operation, {{total}} in all.',
      synced_few: 'History updated: {{count}} new operations, {{total}} in all.',
      synced_many: 'History updated: {{count}} new operations, {{total}} in all.',
      synced_other: 'History updated: {{count}} new operations, {{total}} in all.',
      offlineTitle: 'The wallet server cannot be reached: showing saved history.',
      offlineText:
        'Data as of {{time}} (Moscow). Filters, search and export work; new operations appear after the next sync.',
      offlineNever: 'No saved history yet: sync once the connection is back.',
      syncFailed: 'Sync failed: showing saved history',
      filters: 'History filters',
      from: 'From',
      to: 'To',
      operation: 'Operations',
      search: 'Search',
      searchPlaceholder: 'comment, account, service, transaction number',
      currency: 'Currency',
      status: 'Status',
      reset: 'Reset',
      badRange: '“From” is after “To”: the period is not applied',
      badDate: 'Invalid date: it is not applied',
      found_one: '{{count}} operation found',
      found_few: '{{count}} operations found',
      found_many: '{{count}} operations found',
      found_other: '{{count}} operations found',
      saved_one: '{{count}} operation saved',
      saved_few: '{{count}} operations saved',
      saved_many: '{{count}} operations saved',
      saved_other: '{{count}} operations saved',
      mskNote: 'Moscow time, as QIWI shows it'
    },
    detail: {
      title: 'Operation',
      date: 'Date (Moscow)',
      type: 'Type',
      status: 'Status',
      sum: 'Amount',
      commission: 'Commission',
      total: 'Total',
      from: 'Sender',
      to: 'Recipient',
      provider: 'Service',
      comment: 'Comment',
      txnId: 'QIWI transaction number (txnId)',
      trmTxnId: 'Client number (trmTxnId)',
      errorCode: 'QIWI error code: {{code}}',
      qiwiText: 'QIWI text'
    },
    txnErrors: {
      0: 'OK',
      3: 'Technical error, retry later',
      4: 'Wrong phone/account format',
      5: 'The number does not exist',
      8: 'Technical problem at the recipient bank, retry later',
      57: 'Recipient wallet status does not allow receiving (the recipient must add passport data)',
      131: 'Payment unavailable for your country',
      166: 'Your wallet status does not allow the payment',
      167: 'Recipient wallet status does not allow the transfer',
      202: 'Technical error, retry later',
      204: 'Your wallet status does not allow cash top-up',
      220: 'Insufficient funds',
      241: 'Amount must exceed 1 RUB',
      242: 'Amount above maximum',
      254: 'Amount must exceed 1 RUB',
      271: 'Technical problem at the recipient bank',
      300: 'Technical error, retry later',
      303: 'Wrong phone number: 10 digits expected',
      319: 'Your wallet status does not allow the payment',
      407: 'Insufficient funds on your card',
      408: 'The same payment already exists: pay or cancel it',
      455: 'Not possible because of a minimum-balance restriction',
      461: 'Confirmation time expired',
      472: 'Not enough money in the wallet',
      500: 'Technical error at the recipient bank (contact the bank)',
      522: 'Wrong recipient card number or expiry',
      547: 'Wrong recipient card expiry',
      548: 'Recipient card expired',
      558: 'Amount above maximum',
      561: 'The recipient bank refuses the payment',
      700: 'Limit for your wallet status exceeded',
      702: "Recipient's balance limit exceeded",
      704: 'Monthly wallet limit exceeded',
      705: 'Monthly wallet limit exceeded',
      710: 'Weekly limit for payments to the same recipient exceeded',
      711: 'Monthly limit for this operation type exceeded',
      716: 'Monthly card withdrawal limit exceeded',
      717: 'Daily card withdrawal limit exceeded',
      746: 'Limit for the same recipient exceeded',
      747: 'Number of operations to the same recipient exceeded',
      749: 'Technical error, contact support',
      750: 'Technical error, retry later',
      757: 'Number-of-payments limit exceeded',
      797: 'Payment cancelled, money returned to the wallet',
      852: 'Limit for the same recipient exceeded',
      866: 'Monthly 5 000 RUB limit on outgoing RUB/USD/EUR → KZT transfers exceeded',
      867: 'Monthly 5 000 RUB limit on incoming RUB/USD/EUR → KZT transfers exceeded',
      893: 'Transfer rejected, expired',
      901: 'Payment confirmation code expired',
      943: 'Monthly transfer limit exceeded',
      1050: 'Limit for such operations exceeded',
      7000: 'Declined, check card details',
      7600: 'Declined, contact the card issuer',
      unknown: 'QIWI error with code {{code}}'
    },
    totals: {
      savedRange_one:
        'Saved history: {{from}} to {{to}}, {{count}} operation. Earlier operations are not in the totals.',
      savedRange_few:
        'Saved history: {{from}} to {{to}}, {{count}} operations. Earlier operations are not in the totals.',
      savedRange_many:
        'Saved history: {{from}} to {{to}}, {{count}} operations. Earlier operations are not in the totals.',
      savedRange_other:
        'Saved history: {{from}} to {{to}}, {{count}} operations. Earlier operations are not in the totals.',
      title: 'Incoming and outgoing per month',
      fromMonth: 'From month',
      toMonth: 'To month',
      currency: 'Currency',
      badPeriod: 'Invalid period: “from” is after “to”',
      empty: 'No operations in this period.',
      emptyNeverSynced: 'Totals are computed from the saved history: sync it first in the History section.',
      incoming: 'Incoming',
      outgoing: 'Outgoing',
      chartUnit: 'in {{currency}}',
      chartFailed: 'The chart could not be shown; the figures are in the table below.',
      chartLabel: 'Chart of incoming and outgoing per month, {{currency}}',
      month: 'Month',
      sum: 'Period total',
      note: 'Successful operations only. Months follow Moscow time.'
    },
    transfer: {
      title: 'Transfer to a QIWI Wallet',
      to: 'Recipient',
      toHint: 'The recipient’s wallet number, e.g. +7 900 765-43-21',
      toPreview: 'Wallet {{phone}}',
      amount: 'Amount',
      amountRub: 'Amount, ₽',
      comment: 'Comment',
      commentCount: '{{n}} of {{max}}',
      continue: 'Calculate commission',
      quoting: 'Calculating…',
      confirmTitle: 'Check the transfer',
      commission: 'QIWI commission',
      total: 'Debited from the wallet',
      confirmNote:
        'A transfer cannot be cancelled. The button sends it once: pressing it again never makes a second transfer.',
      send: 'Transfer',
      sending: 'Sending…',
      retrySame: 'Retry (same transfer)',
      edit: 'Edit',
      another: 'New transfer',
      sameRecipient: 'Another transfer to this recipient',
      callFailed: 'No answer about the transfer',
      quoteFailed: 'Could not calculate the commission',
      callFailedNote:
        'Check the list of transfers. Retrying this same transfer is safe: it keeps its id and is never sent twice.',
      txnId: 'QIWI transaction',
      clientId: 'Transfer number in the app',
      problems: {
        generic: 'Check the value',
        to: {
          empty: 'Enter the recipient’s number',
          format: 'A number may contain only digits, spaces, brackets, dashes and “+”',
          country: 'Transfers go to Russian numbers only (+7)',
          length: 'Wrong number length: 11 digits needed (+7 and 10 digits)'
        },
        amount: {
          empty: 'Enter the amount',
          format: 'The amount is a number, e.g. 150 or 150.50',
          'too-many-decimals': 'At most two digits after the decimal point',
          zero: 'The amount must be above zero',
          'too-large': 'The amount is too large',
          negative: 'The amount cannot be negative',
          'below-min': 'The smallest transfer is 1.00 ₽'
        },
        comment: {
          'too-long': 'The comment is longer than 500 characters',
          format: 'The comment contains characters that cannot be sent'
        }
      },
      outcome: {
        pending: {
          title: 'Sending the transfer',
          text: 'Waiting for QIWI. Do not close the app and do not repeat the transfer.'
        },
        accepted: {
          title: 'Transfer accepted',
          text: 'QIWI accepted the transfer for processing. Its final status appears in the wallet history.'
        },
        waiting: {
          title: 'Outcome not known yet',
          text: 'QIWI’s answer did not arrive. The app is reconciling the transfer with the wallet history and updates its state by itself. Do not repeat the transfer: the money may already be on its way.'
        },
        failed: {
          title: 'Transfer failed',
          text: 'No money was debited. The reason is below; the transfer can be made again.'
        }
      }
    },
    transferState: {
      pending: 'sending',
      accepted: 'accepted',
      waiting: 'reconciling',
      failed: 'failed'
    },
    transfers: {
      title: 'Transfers from this computer',
      none: 'No transfers yet.',
      when: 'When (Moscow)',
      state: 'State'
    },
    errorsIn: {
      transferFailed: {
        'network-failure': 'The wallet server could not be reached: the transfer was not sent.',
        'qiwi-error': 'QIWI refused the transfer.',
        forbidden: 'The token lacks the “Payments without SMS” permission.',
        unauthorized: 'The token was refused (wrong or expired): the transfer was not made.'
      },
      login: {
        unauthorized: 'Token refused: it is wrong or expired (valid 180 days).',
        forbidden: 'The token lacks the profile permission: it cannot be used to log in.',
        'credential-invalid': 'Wrong wallet number or password.',
        'network-failure': 'The wallet server cannot be reached: the token could not be checked.',
        'not-found': 'Wallet not found.',
        conflict: 'This wallet on this server, or a wallet with this name, is already added.'
      },
      sync: {
        unauthorized: 'The token no longer works (wrong or expired). Log out and log in with a new token.',
        forbidden: 'The token lacks the “Payment history” permission.'
      },
      balances: {
        forbidden: 'The token lacks the “Balance” permission.'
      },
      totals: {
        forbidden: 'The token lacks the “Payment history” permission.'
      },
      commission: {
        forbidden: 'The token lacks the “Payments without SMS” permission.',
        'invalid-phone': 'Invalid recipient number.',
        'invalid-amount': 'Invalid transfer amount.'
      },
      transfer: {
        forbidden: 'The token lacks the “Payments without SMS” permission.',
        'network-failure': 'The app did not answer: the outcome of the transfer is unknown.',
        timeout: 'No answer in time: the outcome of the transfer is unknown.',
        conflict: 'This transfer is already being sent.'
      }
    },
    errors: {
      generic: 'Something went wrong',
      internal: 'Internal application error',
      'bad-request': 'The server refused the request (invalid data)',
      'not-found': 'Not found',
      forbidden: 'The token lacks the permission for this operation',
      unauthorized: 'The token is wrong or expired (valid 180 days): a new token is needed',
      conflict: 'The operation is already running or the data changed',
      'invalid-input': 'Invalid data',
      'invalid-amount': 'Invalid amount',
      'invalid-phone': 'Invalid phone number',
      'invalid-card': 'Invalid card number',
      'invalid-account': 'Invalid account number',
      'invalid-csv': 'Invalid CSV file',
      'network-failure': 'The server cannot be reached',
      timeout: 'The server did not answer in time',
      'tls-failure': 'Secure connection (TLS) error',
      'http-status': 'Unexpected server response',
      'response-too-large': 'Server response too large',
      'xml-invalid': 'Invalid server response (XML)',
      'json-invalid': 'Invalid server response (JSON)',
      'protocol-error': 'The server response does not match QIWI’s documentation',
      'rate-limited': 'Too many requests: QIWI blocks history requests for a while (up to 5 minutes)',
      'qiwi-error': 'QIWI refused the operation',
      'qiwi-fatal': 'QIWI refused the operation (fatal error)',
      'qiwi-duplicate-mismatch': 'An operation with this number exists with different details',
      config: 'Configuration error (server address)',
      'unknown-terminal': 'Terminal not found',
      'unknown-wallet': 'The wallet is not on this computer (perhaps it was logged out)',
      'service-not-allowed': 'Operation not allowed',
      'keychain-unavailable': 'The OS keychain is unavailable',
      'keychain-locked': 'The OS keychain is locked: unlock it',
      'credential-missing': 'The token or password is not in the keychain: log in again',
      'credential-invalid': 'Invalid credentials',
      'credential-wrong-passphrase': 'Wrong passphrase',
      'credential-legacy-pfx': 'Legacy certificate file format',
      'credential-expired': 'The credentials have expired',
      'credential-not-yet-valid': 'The credentials are not valid yet',
      'credential-key-mismatch': 'The key does not match the certificate',
      'credential-truncated': 'The credential file is damaged or truncated',
      storage: 'Local database error',
      'storage-busy': 'The database is busy: try again',
      'storage-readonly': 'The database is read-only',
      'storage-full': 'The disk is full',
      'db-from-future': 'The database was created by a newer version of the app',
      'terminal-paused': 'The terminal is paused',
      'payout-final': 'The payout is already final',
      'payout-exists': 'The payout already exists'
    }
  }
}
