/**
 * A self-contained API reference rendered in the browser from /openapi.json: no CDN, so it works
 * offline and under the gateway's strict CSP (the script is served from /docs.js).
 */
export function docsPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1b1b1f;background:#fafafa}
header{background:#111;color:#fff;padding:16px 24px}main{max-width:1000px;margin:0 auto;padding:16px 24px}
.op{background:#fff;border:1px solid #ddd;border-radius:6px;margin:10px 0;padding:10px 14px}
.m{display:inline-block;min-width:64px;font-weight:700;text-transform:uppercase}
.get{color:#0a7}.post{color:#06c}.put{color:#a60}.delete{color:#c22}.patch{color:#85c}
code{background:#f1f1f4;padding:1px 4px;border-radius:3px}pre{background:#f6f6f8;padding:8px;overflow:auto;font-size:13px}
h2{margin-top:28px;border-bottom:1px solid #ddd}summary{cursor:pointer}
</style></head>
<body><header><h1 style="margin:0;font-size:20px">Edge Video Platform — API reference</h1>
<div>Generated from <a style="color:#9cf" href="/openapi.json">/openapi.json</a>. Every path is also served under <code>/v1</code>.</div></header>
<main id="ops">Loading…</main>
<script src="/docs.js"></script></body></html>`;
}

export const docsScript = `(async () => {
  const doc = await (await fetch('/openapi.json')).json();
  const el = document.getElementById('ops');
  const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]);
  const pre = (v) => '<pre>' + esc(JSON.stringify(v, null, 2)) + '</pre>';
  const components = doc.components || {};
  // A named schema is shown by name and with its definition.
  const schema = (s) => {
    const name = s && s.$ref && s.$ref.split('/').pop();
    return name ? '<p><code>' + esc(name) + '</code></p>' + pre((components.schemas || {})[name]) : pre(s);
  };
  // A requirement names one or more schemes (all needed); the list holds alternatives.
  const security = (reqs) => reqs.map((r) => Object.entries(r).map(([name, scopes]) =>
    scopes.length ? name + ' (' + scopes.join(', ') + ')' : name).join(' + ')).join(' or ') || 'public';
  const parameter = (p) => '<li><code>' + esc(p.name) + '</code> in ' + esc(p.in) + (p.required ? ', required' : '') +
    ' <small>' + esc(JSON.stringify(p.schema)) + '</small>' + (p.description ? ' — ' + esc(p.description) : '') + '</li>';
  const response = ([status, r]) => {
    const json = r.content && r.content['application/json'];
    const problem = r.content && r.content['application/problem+json'];
    const headers = Object.keys(r.headers || {}).filter((h) => h !== 'X-Request-Id');
    return '<li><code>' + esc(status) + '</code> ' + esc(r.description) + (problem ? ' <small>(Problem)</small>' : '') +
      (headers.length ? ' <small>headers: ' + esc(headers.join(', ')) + '</small>' : '') + (json ? schema(json.schema) : '') + '</li>';
  };
  const byTag = {};
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || 'Other';
      (byTag[tag] ||= []).push({ path, method, op });
    }
  }
  el.innerHTML = Object.entries(byTag).map(([tag, ops]) => '<h2>' + esc(tag) + '</h2>' + ops.map(({ path, method, op }) => {
    const body = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
    const params = (op.parameters || []).filter((p) => !p.$ref);
    return '<div class="op" id="' + esc(op.operationId) + '"><details><summary><span class="m ' + method + '">' + method + '</span> <code>' + esc(path) + '</code> — ' + esc(op.summary) + ' <small>(' + esc(security(op.security || [])) + ')</small></summary>' +
      '<p><small>operationId <code>' + esc(op.operationId) + '</code></small></p>' +
      (op.description ? '<p>' + esc(op.description) + '</p>' : '') +
      (params.length ? '<p><b>Parameters</b></p><ul>' + params.map(parameter).join('') + '</ul>' : '') +
      (body ? '<p><b>Body</b></p>' + schema(body.schema) : '') +
      '<p><b>Responses</b></p><ul>' + Object.entries(op.responses || {}).map(response).join('') + '</ul></details></div>';
  }).join('')).join('') +
    '<h2>Authentication</h2><ul>' + Object.entries(components.securitySchemes || {}).map(([name, s]) =>
      '<li><code>' + esc(name) + '</code> ' + esc(s.description) + '</li>').join('') + '</ul>' +
    '<h2>Errors</h2><p>Every error is <code>application/problem+json</code> (RFC 9457), a <code>Problem</code>:</p>' +
    schema({ $ref: '#/components/schemas/Problem' }) +
    '<h2>Response headers</h2><ul>' + Object.entries(components.headers || {}).map(([name, h]) =>
      '<li><code>' + esc(name) + '</code> ' + esc(h.description) + '</li>').join('') + '</ul>';
})();`;
