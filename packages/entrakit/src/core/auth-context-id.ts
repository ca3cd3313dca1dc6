/** A Conditional Access authentication context id as Entra names them: c1 to c99. */
export const AUTH_CONTEXT_ID = /^c([1-9]|[1-9][0-9])$/;
