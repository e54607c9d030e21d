// The page: static HTML + a small script that renders each snapshot pushed over server-sent events.
// Values are set with textContent only (no HTML from data).
export const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>zdp release</title>
<style>
 body{font:14px system-ui,sans-serif;margin:24px;color:#1b1f24;background:#f6f8fa}
 h1{font-size:20px;margin:0 0 4px} .muted{color:#57606a}
 .cols{display:flex;gap:16px;margin:16px 0} .card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px 16px;flex:1}
 .card h2{margin:0 0 8px;font-size:16px} .blue h2{color:#0969da} .green h2{color:#1a7f37}
 .bar{height:14px;background:#eaeef2;border-radius:7px;overflow:hidden;margin:8px 0} .bar div{height:100%}
 .blue .bar div{background:#0969da} .green .bar div{background:#1a7f37}
 dl{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:0} dt{color:#57606a}
 li.done::marker{content:"✓ "} li.running::marker{content:"▶ "} li.pending::marker{content:"· "} li.failed::marker{content:"✗ "}
 li.running{font-weight:600} .bad{color:#cf222e}
</style></head><body>
<h1>Release: <span id="stack">…</span></h1>
<div class="muted"><span id="strategy"></span> · live colour <b id="active"></b> · updated <span id="at"></span> · <span id="conn">connecting</span></div>
<div class="cols" id="colours"></div>
<div class="cols">
 <div class="card"><h2>Release <span id="action" class="muted"></span></h2><ol id="steps"></ol><div id="decision"></div></div>
 <div class="card"><h2>Checks</h2><ul id="checks"></ul></div>
</div>
<div id="notes" class="muted"></div>
<script>
const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
const fmt = (v, f) => v === undefined || v === null ? "n/a" : f(v);
function render(s) {
  $("stack").textContent = s.stack; $("strategy").textContent = s.strategy; $("active").textContent = s.activeColor; $("at").textContent = s.at;
  const cols = $("colours"); cols.replaceChildren();
  for (const [name, c] of Object.entries(s.colours)) {
    const card = el("div", "card " + name); card.dataset.colour = name;
    card.append(el("h2", null, name + " " + c.version));
    const bar = el("div", "bar"); const fill = el("div"); fill.style.width = c.weight + "%"; bar.append(fill); card.append(bar);
    const dl = el("dl");
    const row = (k, v, cls) => { dl.append(el("dt", null, k)); const d = el("dd", cls, v); d.dataset.field = k; dl.append(d); };
    row("weight", c.weight + "%");
    row("ready pods", c.readyPods === undefined ? "n/a" : c.readyPods + " / " + c.desiredPods, c.readyPods !== undefined && c.readyPods < c.desiredPods ? "bad" : "");
    row("requests/s", fmt(c.requestsPerSecond, (v) => v.toFixed(0)));
    row("error rate", fmt(c.errorRate, (v) => (v * 100).toFixed(2) + "%"));
    row("p99", fmt(c.p99Ms, (v) => v.toFixed(0) + " ms"));
    card.append(dl); cols.append(card);
  }
  const r = s.release;
  $("action").textContent = r ? r.action : "none running";
  $("steps").replaceChildren(...(r ? r.steps.map((st) => el("li", st.status, st.name)) : []));
  $("checks").replaceChildren(...(r ? r.checks.map((c) => el("li", c.ok ? "" : "bad", (c.ok ? "pass " : "FAIL ") + c.name + ": " + c.detail)) : []));
  $("decision").textContent = r && r.decision ? "Decision: " + r.decision : "";
  $("notes").textContent = s.notes.join(" · ");
}
const es = new EventSource("/events");
es.onopen = () => { $("conn").textContent = "live"; };
es.onerror = () => { $("conn").textContent = "disconnected, retrying"; };
es.onmessage = (m) => render(JSON.parse(m.data));
</script></body></html>`;
