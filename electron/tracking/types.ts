/**
 * The Node side's tracking types: the contract (entities, requests, the store interface; types
 * only, in contract.ts so the renderer may import it too), the run statuses as values, and MLflow's
 * error type with its codes.
 */
import type { RunStatus } from "./contract.ts";

export type * from "./contract.ts";

/** Every run status, in the order of MLflow's RunStatus enum (its numbers are positions from 1). */
export const RUN_STATUSES: readonly RunStatus[] = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"];
/** The statuses a run ends in; the others mean it is still open. */
export const TERMINAL_STATUSES: readonly RunStatus[] = ["FINISHED", "FAILED", "KILLED"];

/** MLflow error codes this project emits, with their HTTP statuses (mlflow/exceptions.py). */
export const ERROR_HTTP_STATUS = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  NOT_FOUND: 404,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  RESOURCE_CONFLICT: 409,
  REQUEST_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  INVALID_STATE: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

/** An error MLflow would raise; the REST edge turns it into `{error_code, message}`. */
export class MlflowError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "MlflowError";
    this.code = code;
  }
  get httpStatus(): number {
    return ERROR_HTTP_STATUS[this.code];
  }
}
