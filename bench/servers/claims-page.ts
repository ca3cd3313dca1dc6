/** The page both sign-in libraries show in the benchmark: the ID token's claims, escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function claimsPage(claims: Readonly<Record<string, unknown>>, signOut: string): string {
  const rows = Object.entries(claims).map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(typeof value === 'string' ? value : JSON.stringify(value))}</td></tr>`);
  return `<!doctype html><title>Claims</title><table>${rows.join('')}</table>${signOut}`;
}
