// The two refusals a command adds to the core error tree: what was named does not exist, and what
// the service's state does not allow now. Surfaces map them (HTTP: 404 and 409).

import { InputError } from "../core/errors.ts";

/** A bot, pending confirmation or backtest named by the request does not exist. */
export class NotFoundError extends InputError {}

/**
 * The request is well formed but the service's state refuses it now (a stopped bot paused, a
 * confirmation already decided, a manual order in paper mode); the message says what to do.
 */
export class ConflictError extends InputError {}

/**
 * Fields of a request hold values the command refuses (an unknown strategy, a parameter out of
 * its range, a symbol with no candles); `fields` names them, the message says what is wrong with
 * each. Surfaces answer it before accepting any work (HTTP: 422).
 */
export class InvalidFieldError extends InputError {
  constructor(readonly fields: readonly string[], message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
