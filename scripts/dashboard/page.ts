// The page: static HTML + a small script that renders each snapshot pushed over server-sent events.
// Values are set with textContent only (no HTML from data). A value that could not be read shows n/a
// with the reason in the banner and the sources table; a simulation says so in the banner; when the
// stream drops, the page greys out and says the values are from the last read, not live.
export const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>zdp release</title>
<style>
 body{font:14px system-ui,sans-serif;margin:24px;color:#1b1f24;background:#f6f8fa}
 h1{font-size:20px;margin:0 0 4px} .muted{color:#57606a}
 .banner{padding:8px 12px;border-radius:6px;margin:12px 0;font-weight:600} .banner:empty{display:none}
 .banner.sim{background:#fff8c5;border:1px solid #d4a72c} .banner.bad{background:#ffebe9;border:1px solid #cf222e;color:#82071e}
 .cols{display:flex;gap:16px;margin:16px 0} .card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px 16px;flex:1}
 .card h2{margin:0 0 8px;font-size:16px} .blue h2{color:#0969da} .green h2{color:#1a7f37}
 .bar{height:14px;background:#eaeef2;border-radius:7px;overflow:hidden;margin:8px 0} .bar div{height:100%;background:#57606a}
 .blue .bar div{background:#0969da} .green .bar div{background:#1a7f37}
 dl{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:0} dt{color:#57606a}
 li.done::marker{content:"✓ "} li.running::marker{content:"▶ "} li.pending::marker{content:"· "} li.failed::marker{content:"✗ "}
 li.skipped::marker{content:"– "} li.unknown::marker{content:"? "}
 li.running{font-weight:600} .bad,li.failed{color:#cf222e}
 table{border-collapse:collapse;width:100%} td,th{text-align:left;padding:2px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
 body.stale .cols,body.stale table{opacity:.45}
</style></head><body>
<h1>Release: <span id="stack">…</span></h1>
<div class="muted"><span id="strategy"></span> · most traffic: <b id="active"></b> · updated <span id="at"></span> · <span id="conn">connecting</span></div>
<div id="banner" class="banner"></div>
<div class="cols" id="colours"></div>
<div class="cols">
 <div class="card"><h2>Release <span id="action" class="muted"></span></h2><div id="rstate" class="muted"></div><ol id="steps"></ol><div id="decision"></div></div>
 <div class="card"><h2>Checks</h2><ul id="checks"></ul></div>
</div>
<div class="card"><h2>Where each value comes from</h2><table><thead><tr><th>value</th><th>from</th><th>read at</th><th>status</th></tr></thead><tbody id="sources"></tbody></table></div>
<div id="notes" class="muted"></div>
<script>
const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
const fmt = (v, f) => v === undefined || v === null ? "n/a" : f(v);
let last;
function colour(name, c) {
  const card = el("div", "card " + name); card.dataset.colour = name;
  card.append(el("h2", null, name + " " + (c.version ?? "n/a")));
  const bar = el("div", "bar"); const fill = el("div"); fill.style.width = (c.weight ?? 0) + "%"; bar.append(fill); card.append(bar);
  const dl = el("dl");
  const row = (k, v, cls) => { dl.append(el("dt", null, k)); const d = el("dd", cls, v); d.dataset.field = k; dl.append(d); };
  row("weight", fmt(c.weight, (v) => v + "%"), c.weight === undefined ? "bad" : "");
  if (c.declared) row("stack file", (c.declared.version ?? "-") + " at " + fmt(c.declared.weight, (v) => v + "%"));
  row("ready pods", c.readyPods === undefined ? "n/a" : c.readyPods + " / " + c.desiredPods, c.readyPods === undefined || c.readyPods < c.desiredPods ? "bad" : "");
  row("requests/s", fmt(c.requestsPerSecond, (v) => v.toFixed(0)));
  row("error rate", fmt(c.errorRate, (v) => (v * 100).toFixed(2) + "%"));
  row("p99", fmt(c.p99Ms, (v) => v.toFixed(0) + " ms"));
  card.append(dl); return card;
}
function render(s) {
  last = s; document.body.classList.remove("stale");
  $("stack").textContent = s.stack + (s.app ? " (app " + s.app + ")" : ""); $("strategy").textContent = s.strategy; $("active").textContent = s.activeColor ?? "unknown"; $("at").textContent = s.at;
  const failed = s.sources.filter((x) => x.error);
  const banner = $("banner");
  banner.className = "banner" + (s.simulated ? " sim" : failed.length ? " bad" : "");
  banner.textContent = s.simulated ? "SIMULATED: a demonstration; nothing on this page was read from a cluster."
    : failed.length ? "Could not read " + failed.map((x) => x.value + " (" + x.error + ")").join("; ") + ". Those values show n/a: nothing on this page is an old or assumed value." : "";
  $("colours").replaceChildren(...Object.entries(s.colours).map(([n, c]) => colour(n, c)));
  const r = s.release;
  $("action").textContent = r ? r.action : "none running or recorded";
  $("rstate").textContent = r ? r.state + (r.holder ? " · " + r.holder : "") : "";
  $("steps").replaceChildren(...(r ? r.steps.map((st) => { const li = el("li", st.status, st.name); if (st.detail) li.title = st.detail; return li; }) : []));
  $("checks").replaceChildren(...(r ? r.checks.map((c) => el("li", c.ok ? "" : "bad", (c.ok ? "pass " : "FAIL ") + c.name + ": " + c.detail)) : []));
  $("decision").textContent = r && r.decision ? "Decision: " + r.decision : "";
  $("sources").replaceChildren(...s.sources.map((x) => {
    const tr = el("tr", x.error ? "bad" : ""); tr.dataset.value = x.value;
    tr.append(el("td", null, x.value), el("td", null, x.from), el("td", null, x.at), el("td", null, x.error ? "FAILED: " + x.error : "ok"));
    return tr;
  }));
  $("notes").textContent = s.notes.join(" · ");
}
const es = new EventSource("/events");
es.onopen = () => { $("conn").textContent = "live"; };
const stale = (why) => {
  document.body.classList.add("stale");
  $("conn").textContent = why + ": the values below are from " + (last ? last.at : "no read") + ", not live";
};
es.onerror = () => stale("disconnected, retrying");
es.addEventListener("failure", (m) => stale("the last read failed (" + JSON.parse(m.data) + ")"));
es.onmessage = (m) => { render(JSON.parse(m.data)); $("conn").textContent = "live"; };
</script></body></html>`;
