/** Microsoft Graph's error codes the emulator answers with. */
export type GraphErrorCode =
  | 'InvalidAuthenticationToken'
  | 'Authorization_RequestDenied'
  | 'Request_ResourceNotFound'
  | 'Request_BadRequest'
  | 'Request_UnsupportedQuery'
  | 'BadRequest'
  | 'CannotDeleteOrUpdateEnabledEntitlement'
  | 'Request_MultipleObjectsWithSameKeyValue'
  | 'HostNameNotOnVerifiedDomain'
  | 'generalException';

/** Thrown inside Graph routes; the Graph app renders it as `{"error":{code,message,innerError}}`. */
export class GraphError extends Error {
  readonly code: GraphErrorCode;
  readonly status: number;
  /** A 401's WWW-Authenticate parameters other than the default challenge (a CAE claims challenge). */
  readonly challenge?: string;
  /** Graph's `details` of a directory write error, e.g. [{code: 'ObjectConflict', target: 'userPrincipalName'}]. */
  readonly details?: ReadonlyArray<{ code: string; target: string }>;

  /** For the request log's *why* (never sent to the client). */
  readonly why?: string;

  constructor(status: number, code: GraphErrorCode, message: string, options: { challenge?: string; details?: ReadonlyArray<{ code: string; target: string }>; why?: string } = {}) {
    super(message);
    this.name = 'GraphError';
    this.status = status;
    this.code = code;
    if (options.challenge) this.challenge = options.challenge;
    if (options.details) this.details = options.details;
    if (options.why) this.why = options.why;
  }
}

export interface GraphErrorBody {
  error: {
    code: GraphErrorCode;
    message: string;
    details?: ReadonlyArray<{ code: string; target: string }>;
    innerError: { date: string; 'request-id': string; 'client-request-id': string };
  };
}

/** Graph's `innerError.date` has whole seconds and no zone designator. */
export function graphErrorBody(code: GraphErrorCode, message: string, ids: { now: number; requestId: string; clientRequestId: string }, details?: ReadonlyArray<{ code: string; target: string }>): GraphErrorBody {
  return {
    error: {
      code,
      message,
      ...(details ? { details } : {}),
      innerError: {
        date: new Date(ids.now).toISOString().replace(/\.\d+Z$/, ''),
        'request-id': ids.requestId,
        'client-request-id': ids.clientRequestId,
      },
    },
  };
}

export const INSUFFICIENT_PRIVILEGES = 'Insufficient privileges to complete the operation.';

export function resourceNotFound(id: string): GraphError {
  return new GraphError(404, 'Request_ResourceNotFound', `Resource '${id.slice(0, 200)}' does not exist or one of its queried reference-property objects are not present.`);
}
