/** Node's own request headers when the app runs on @hono/node-server (`c.env.incoming`), else undefined. */
export function nodeRequestHeaders(env: unknown): Record<string, string | string[] | undefined> | undefined {
  return (env as { incoming?: { headers?: Record<string, string | string[] | undefined> } } | undefined)?.incoming?.headers;
}
