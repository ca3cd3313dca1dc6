import { EntrakitError } from 'entrakit';

/** A configuration problem; the message starts with the variable to fix. */
export class WebConfigError extends EntrakitError {
  readonly variable: string;

  constructor(variable: string, message: string) {
    super('WEB_CONFIG_INVALID', message, { status: 500, details: { variable } });
    this.name = 'WebConfigError';
    this.variable = variable;
  }
}
