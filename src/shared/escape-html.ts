/** Text or an attribute value made safe to write into HTML (OWASP XSS prevention, rules 1 and 2). */
export function escapeHtml (value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}
