// The error tree: every failure Tidewatch reports to a person is one of these few kinds.

/** Base of every error Tidewatch raises on purpose; `message` is meant for people. */
export class TidewatchError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A configuration, flag or argument is wrong; the message names it and the fix. */
export class ConfigError extends TidewatchError {}

/** Input data (a file, a request body) is invalid; the message names where. */
export class InputError extends TidewatchError {}

/** The exchange is unreachable or throttling us; retrying later may succeed. */
export class ExchangeTemporaryError extends TidewatchError {}

/** The exchange answered with something we cannot use (unknown symbol, bad response). */
export class ExchangeError extends TidewatchError {}

/** The database file is locked by another process; the message says which and what to do. */
export class StoreLockedError extends TidewatchError {}

/** The exchange refused an order (insufficient balance, bad size…); retrying the same will not help. */
export class OrderRejectedError extends TidewatchError {}
