// The console's only assets, served by the service itself (no CDN) from memory, with an ETag. The
// script is progressive enhancement: every page works without it (copy buttons appear only with it).
import { createHash } from 'node:crypto'

const CSS = `
:root{--ink:#1b1f24;--muted:#4b5563;--line:#d1d5db;--accent:#1d4ed8;--bad:#b91c1c;--ok:#166534;--bg:#f4f5f7}
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:var(--bg);color:var(--ink)}
a{color:var(--accent)}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:2}
.top{display:flex;justify-content:space-between;align-items:center;gap:1rem;flex-wrap:wrap;padding:.75rem 1.5rem;background:#111827;color:#fff}
.top a.brand{color:#fff;font-weight:700;text-decoration:none}
.top .who{display:flex;gap:.75rem;align-items:center;margin:0}
.top .who button{margin:0;background:#fff;color:#111827;border-color:#fff}
body>nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;list-style:none;margin:0;padding:.5rem 1.5rem;background:#fff;border-bottom:1px solid var(--line)}
body>nav a[aria-current=page]{font-weight:700;color:var(--ink)}
main{max-width:70rem;margin:1.5rem auto;padding:1.5rem 2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0003}
main:focus{outline:none}
h1{font-size:1.6rem;margin-top:0}h2{font-size:1.25rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{text-align:left;padding:.5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;background:#f9fafb}
.field{margin:1rem 0;border:0;padding:0}
.field label,.field legend{display:block;font-weight:600}
.field input[type=text],.field input[type=url],.field input[type=number],.field input[type=password],.field textarea,.field select{width:100%;max-width:40rem;padding:.5rem;font:inherit;border:1px solid #6b7280;border-radius:4px}
.field.invalid input,.field.invalid textarea{border:2px solid var(--bad)}
.field.invalid{border-left:4px solid var(--bad);padding-left:.75rem}
.hint{color:var(--muted);margin:.25rem 0;font-size:.95rem}
.field-error{color:var(--bad);font-weight:600;margin:.25rem 0}
.required{font-weight:400;color:var(--muted)}
.choices{display:flex;flex-direction:column;gap:.35rem;margin-top:.35rem}
.choice label{display:inline;font-weight:400;margin-left:.35rem}
.choice .hint{display:block;margin-left:1.6rem}
.choice-group{border:0;padding:0;margin:.75rem 0 0}.choice-group legend{font-weight:600;font-size:.95rem}
ul.plain{list-style:none;margin:0;padding:0}
button,.button{display:inline-block;margin:.25rem .5rem .25rem 0;padding:.5rem 1rem;font:inherit;border-radius:4px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#fff;color:var(--accent)}
button.danger{background:var(--bad);border-color:var(--bad)}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.errors{border:2px solid var(--bad);border-radius:6px;padding:.75rem 1rem;margin:1rem 0;background:#fef2f2}
.errors h2{margin:0 0 .5rem;font-size:1.1rem;color:#7f1d1d}
.notice{border:2px solid var(--ok);border-radius:6px;padding:.75rem 1rem;background:#f0fdf4}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1.25rem}
.facts dt{font-weight:600}.facts dd{margin:0;overflow-wrap:anywhere}
.pager{display:flex;gap:1rem;align-items:center;margin:1rem 0}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:1rem 0}.actions form{margin:0}
.secret{font-family:ui-monospace,monospace;background:#fffbeb;border:1px solid #f59e0b;padding:.5rem;border-radius:4px;overflow-wrap:anywhere}
.status-ok{color:var(--ok);font-weight:600}.status-warning{color:#92400e;font-weight:600}.status-error{color:var(--bad);font-weight:600}
code,pre{font-family:ui-monospace,monospace;font-size:.9rem}pre{background:#f9fafb;padding:.75rem;overflow:auto;border:1px solid var(--line)}
.copy{display:none}.js .copy{display:inline-block}
`

const JS = `'use strict'
document.documentElement.classList.add('js')
document.addEventListener('click', function (event) {
  var button = event.target instanceof Element ? event.target.closest('button[data-copy]') : null
  if (!button) return
  var source = document.getElementById(button.getAttribute('data-copy'))
  if (!source || !navigator.clipboard) return
  navigator.clipboard.writeText(source.textContent.trim()).then(function () {
    var status = document.getElementById(button.getAttribute('data-copy') + '-copied')
    if (status) status.textContent = 'Copied.'
  })
})
`

interface Asset { readonly type: string; readonly body: string; readonly etag: string }

function asset (type: string, body: string): Asset {
  return { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` }
}

export const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['console.css', asset('text/css; charset=utf-8', CSS)],
  ['console.js', asset('text/javascript; charset=utf-8', JS)]
])
