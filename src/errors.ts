/**
 * One base class for every failure the product raises on purpose. Each subclass carries a
 * stable `code`; edges (HTTP handlers, the CLI) map codes to statuses or exit codes once.
 */
export class AibridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    opts?: ErrorOptions,
  ) {
    super(message, opts);
    this.name = new.target.name;
  }
}

/** A configuration problem: the CLI exits 2 and prints every issue. */
export class ConfigError extends AibridgeError {
  constructor(readonly issues: string[]) {
    super('CONFIG_INVALID', `invalid configuration:\n  ${issues.join('\n  ')}`);
  }
}

/** Raised when the embedded database's data directory is held by another process. */
export class DataDirLockedError extends AibridgeError {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      'DATA_DIR_LOCKED',
      `the embedded database in ${dataDir} is held by another aibridge process (pid ${pid}); ` +
        'stop it, or run this command against the running server with --url http://HOST:PORT and CODER_SESSION_TOKEN',
    );
  }
}

/** A usage error of the CLI (exit 2). */
export class UsageError extends AibridgeError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/**
 * A control-plane HTTP error in Coder's shape `{message, detail, validations}`; thrown deep,
 * turned into a response by the API server in one place.
 */
export class HttpError extends AibridgeError {
  constructor(
    readonly status: number,
    message: string,
    readonly detail?: string,
    readonly validations?: { field: string; detail: string }[],
  ) {
    super(`HTTP_${status}`, message);
  }
}
