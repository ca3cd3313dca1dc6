/**
 * Undoes the HTML escaping of the emulator's pages (attribute values and text). `&amp;` goes
 * last, so an escaped entity such as `&amp;lt;` comes back as `&lt;`, not `<`.
 */
export function decodeHtml(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
