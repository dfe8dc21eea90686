/** Errors of the OCI distribution spec: stable codes, the HTTP status and the JSON body registries send. */

export const distributionErrors = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
} as const;

export type DistributionErrorCode = keyof typeof distributionErrors;

export class OciError extends Error {
  readonly code: DistributionErrorCode;
  readonly status: number;
  readonly detail?: unknown;

  constructor(code: DistributionErrorCode, message: string, options: { status?: number; detail?: unknown } = {}) {
    super(message);
    this.name = "OciError";
    this.code = code;
    this.status = options.status ?? distributionErrors[code];
    this.detail = options.detail;
  }

  toBody(): { errors: { code: string; message: string; detail?: unknown }[] } {
    return { errors: [{ code: this.code, message: this.message, detail: this.detail }] };
  }
}

export function isOciError(error: unknown): error is OciError {
  return error instanceof OciError;
}
