// AutoDev's dashboard: plain DOM over the JSON API beside it (api/...), no framework, no network beyond this server.
// Everything shown comes from the API and may be written by a model: it is only ever put in the page as text
// (textContent, text nodes, attribute values), never as HTML.
"use strict";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const live = document.getElementById("live");

// ---- the API ----------------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, title) { super(title); this.status = status; }
}

async function api(path, options = {}) {
  const response = await fetch(`api/${path}`, { credentials: "same-origin", ...options });
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new ApiError(response.status, (body && body.title) || response.statusText);
  return body;
}

// A state-changing request: JSON (or a file, sent as it is), with the antiforgery token in its header.
let antiforgery = null;
async function send(method, path, body, contentType) {
  antiforgery = antiforgery || await api("antiforgery");
  return api(path, {
    method,
    headers: { "Content-Type": contentType || "application/json", [antiforgery.headerName]: antiforgery.token },
    body: contentType ? body : JSON.stringify(body || {}),
  });
}
const post = (path, body) => send("POST", path, body);

// ---- building the page, as text only ------------------------------------------------------------------------------

function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function svg(tag, attributes, ...children) {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes || {})) element.setAttribute(name, String(value));
  for (const child of children.flat()) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

function show(...children) {
  main.replaceChildren(...children.flat().filter(Boolean));
}

function message(text, isError) {
  return h("p", { class: isError ? "message error" : "message", role: isError ? "alert" : "status" }, text);
}

const when = (iso) => iso ? new Date(iso).toLocaleString() : "";
const link = (href, text, attributes) => h("a", { href, ...attributes }, text);
const enc = encodeURIComponent;

// Python, highlighted by classifying tokens; each token becomes a text node inside a span.
const pythonTokens = /(#[^\n]*)|("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|\b(def|return|if|elif|else|for|while|in|import|from|as|class|try|except|finally|raise|with|lambda|not|and|or|is|None|True|False|pass|break|continue|yield|global|nonlocal|assert|del|async|await)\b|\b(\d+(?:\.\d+)?)\b/g;
function code(text, label) {
  const block = h("code");
  let last = 0;
  for (const match of (text || "").matchAll(pythonTokens)) {
    block.append(document.createTextNode(text.slice(last, match.index)));
    const kind = match[1] ? "com" : match[2] ? "str" : match[3] ? "kw" : "num";
    block.append(h("span", { class: kind }, match[0]));
    last = match.index + match[0].length;
  }
  block.append(document.createTextNode((text || "").slice(last)));
  return h("pre", { class: "code", "aria-label": label || "code" }, block);
}

// A line diff (longest common subsequence), parent's lines marked "-", child's "+".
function diff(before, after) {
  const a = (before || "").split("\n"), b = (after || "").split("\n");
  const lcs = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--)
    lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const lines = [];
  let i = 0, j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) { lines.push(h("span", { class: "same" }, "  " + a[i])); i++; j++; }
    else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) { lines.push(h("span", { class: "del" }, "- " + a[i])); i++; }
    else { lines.push(h("span", { class: "add" }, "+ " + b[j])); j++; }
  }
  return h("pre", { class: "diff", "aria-label": "diff" }, lines);
}

// ---- pages --------------------------------------------------------------------------------------------------------

async function workspacesPage() {
  const workspaces = await api("workspaces");
  show(h("h1", {}, "Workspaces"),
    workspaces.length === 0 ? message("No workspace is configured, or none is yours.") :
      h("ul", {}, workspaces.map((w) => h("li", {}, link(`#/w/${enc(w)}/queue`, w)))));
}

async function queuePage(ws) {
  const queue = await api(`workspaces/${enc(ws)}/review`);
  show(h("h1", {}, "Review queue"),
    h("h2", {}, `Candidates (${queue.candidates.length})`),
    queue.candidates.length === 0 ? h("p", { class: "muted" }, "No candidate waits for review.") :
      h("table", { id: "candidates" },
        h("tr", {}, h("th", {}, "Skill"), h("th", {}, "Agent"), h("th", {}, "Tests"), h("th", {}, "Held out"), h("th", {}, "Created")),
        queue.candidates.map((c) => h("tr", {},
          h("td", {}, link(`#/w/${enc(ws)}/candidates/${enc(c.id)}`, c.name), h("div", { class: "muted" }, c.description)),
          h("td", {}, c.agentId),
          h("td", {}, `${c.testsPassed} of ${c.tests}`),
          h("td", {}, `${c.heldOutPassed} of ${c.heldOut}`),
          h("td", {}, when(c.createdAt))))),
    h("h2", {}, `Mutations (${queue.mutations.length})`),
    queue.mutations.length === 0 ? h("p", { class: "muted" }, "No mutation waits for review.") :
      h("table", { id: "mutations" },
        h("tr", {}, h("th", {}, "Mutation"), h("th", {}, "Trigger"), h("th", {}, "Parent median"), h("th", {}, "Child median"), h("th", {}, "Winner")),
        queue.mutations.map((m) => h("tr", {},
          h("td", {}, link(`#/w/${enc(ws)}/mutations/${enc(m.id)}`, m.id.slice(0, 8))),
          h("td", {}, m.trigger),
          h("td", {}, ms(m.parentMedianMilliseconds)),
          h("td", {}, ms(m.childMedianMilliseconds)),
          h("td", {}, m.childWins ? "child" : "parent")))));
}

const ms = (value) => value === null || value === undefined ? "" : `${value.toFixed(2)} ms`;

function cases(title, results) {
  if (!results || results.length === 0) return null;
  return [h("h2", {}, title), h("table", {},
    h("tr", {}, h("th", {}, "Inputs"), h("th", {}, "Expected"), h("th", {}, "Actual"), h("th", {}, "Result")),
    results.map((r) => h("tr", {},
      h("td", {}, h("code", {}, r.case.inputsJson)),
      h("td", {}, h("code", {}, r.case.raises ? `raises ${r.case.raises}` : r.case.expectedJson)),
      h("td", {}, h("code", {}, r.actual || "")),
      h("td", { class: r.passed ? "pass" : "fail" }, r.passed ? "passed" : `failed ${r.difference || ""}`))))];
}

function decision(onApprove, onReject) {
  const reason = h("textarea", { id: "reason", rows: 2, placeholder: "Reason (required to reject)" });
  const status = h("div");
  const act = (fn) => async () => {
    try { status.replaceChildren(await fn(reason.value)); } catch (e) { status.replaceChildren(message(e.message, true)); }
  };
  return h("div", { class: "card" }, h("h2", {}, "Decision"),
    h("div", { class: "actions" }, reason,
      h("button", { id: "approve", onclick: act(onApprove) }, "Approve"),
      h("button", { id: "reject", class: "danger", onclick: act(onReject) }, "Reject")),
    status);
}

async function candidatePage(ws, id) {
  const { candidate: c, sourceEpisodes } = await api(`workspaces/${enc(ws)}/candidates/${enc(id)}`);
  const open = c.status === "Validated";
  show(h("h1", {}, "Candidate ", h("span", { id: "candidate-name" }, c.name)),
    h("p", { class: "muted" }, `${c.status} · agent ${c.agentId} · ${when(c.createdAt)}`),
    h("p", { id: "candidate-description" }, c.description),
    c.failureReason ? message(c.failureReason, true) : null,
    code(c.code, "candidate code"),
    cases("Its tests", c.testResults),
    cases("Held out from the model", c.heldOutResults),
    h("h2", {}, `Failed episodes it came from (${sourceEpisodes.length})`),
    sourceEpisodes.length === 0 ? h("p", { class: "muted" }, "None (an imported skill).") :
      h("table", {}, sourceEpisodes.map((e) => h("tr", {}, h("td", {}, e.taskDescription), h("td", {}, h("code", {}, e.errorTrace || ""))))),
    open ? decision(
      async (reason) => {
        const version = await post(`workspaces/${enc(ws)}/candidates/${enc(id)}/approve`, { reason: reason || null });
        return h("p", { class: "message", role: "status" }, "Approved: ", link(`#/w/${enc(ws)}/skills/${enc(c.name)}`, `${c.name} ${version.version}`, { id: "promoted" }));
      },
      async (reason) => {
        await post(`workspaces/${enc(ws)}/candidates/${enc(id)}/reject`, { reason });
        return message("Rejected.");
      }) : h("p", { class: "muted" }, `Reviewed by ${c.reviewedBy || "nobody"}${c.reviewReason ? `: ${c.reviewReason}` : ""}`));
}

function runChart(evaluation) {
  if (!evaluation) return null;
  const runs = [["parent", evaluation.parent.runMilliseconds], ["child", evaluation.child.runMilliseconds]];
  const max = Math.max(1, ...runs.flatMap(([, r]) => r));
  const width = 480, bar = 12, gap = 4;
  const rows = runs.flatMap(([name, values]) => values.map((v) => [name, v]));
  const chart = svg("svg", { width, height: rows.length * (bar + gap) + 20, role: "img", "aria-label": "run times" });
  rows.forEach(([name, v], k) => {
    const y = k * (bar + gap);
    chart.append(svg("rect", { x: 60, y, width: Math.max(1, (v / max) * (width - 160)), height: bar, fill: name === "parent" ? "#94a3b8" : "#2f5bd3" }));
    chart.append(svg("text", { x: 0, y: y + bar - 2 }, name));
    chart.append(svg("text", { x: 64 + (v / max) * (width - 160), y: y + bar - 2 }, `${v.toFixed(2)} ms`));
  });
  return chart;
}

async function mutationPage(ws, id) {
  const { mutation: m, skillName, parent } = await api(`workspaces/${enc(ws)}/mutations/${enc(id)}`);
  const e = m.evaluation;
  const open = m.status === "Passed";
  show(h("h1", {}, "Mutation of ", link(`#/w/${enc(ws)}/skills/${enc(skillName)}`, skillName)),
    h("p", { class: "muted" }, `${m.status} · ${m.trigger} · parent ${parent ? parent.version : "?"} · ${when(m.createdAt)}`),
    m.failureReason ? message(m.failureReason, true) : null,
    h("h2", {}, "Parent → child"), diff(parent ? parent.code : "", m.code),
    e ? [h("h2", {}, "Measured side by side"),
      h("table", {},
        h("tr", {}, h("th", {}), h("th", {}, "Median"), h("th", {}, "Success"), h("th", {}, "Output tokens")),
        h("tr", {}, h("td", {}, "parent"), h("td", {}, ms(e.parent.medianMilliseconds)), h("td", {}, `${(e.parent.successRate * 100).toFixed(0)}%`), h("td", {}, e.parent.outputTokens)),
        h("tr", {}, h("td", {}, "child"), h("td", {}, ms(e.child.medianMilliseconds)), h("td", {}, `${(e.child.successRate * 100).toFixed(0)}%`), h("td", {}, e.child.outputTokens))),
      runChart(e),
      h("p", {}, e.childWins ? "The child is fitter." : "The parent stays fitter.", e.behaviourPreserved ? " Behaviour preserved." : ` Behaviour differs: ${e.behaviourDifference || ""}`)] : null,
    open ? decision(
      async (reason) => {
        const version = await post(`workspaces/${enc(ws)}/mutations/${enc(id)}/approve`, { reason: reason || null });
        return h("p", { class: "message", role: "status" }, "Approved: ", link(`#/w/${enc(ws)}/skills/${enc(skillName)}`, `${skillName} ${version.version}`, { id: "promoted" }));
      },
      async (reason) => {
        await post(`workspaces/${enc(ws)}/mutations/${enc(id)}/reject`, { reason });
        return message("Rejected.");
      }) : null);
}

async function skillsPage(ws) {
  const skills = await api(`workspaces/${enc(ws)}/skills`);
  const file = h("input", { type: "file", id: "package", accept: ".zip,application/zip" });
  const status = h("div");
  const importPackage = async () => {
    if (!file.files.length) return status.replaceChildren(message("Choose a skill package (zip) first.", true));
    try {
      const c = await send("POST", `workspaces/${enc(ws)}/skills/import`, file.files[0], "application/zip");
      status.replaceChildren(h("p", { class: c.status === "Validated" ? "message" : "message error", role: "status", id: "imported" },
        "Imported as a candidate: ", link(`#/w/${enc(ws)}/candidates/${enc(c.id)}`, `${c.name} (${c.status})`),
        c.status === "Validated" ? ", waiting for review." : `: ${c.failureReason || ""}`));
    } catch (e) { status.replaceChildren(message(e.message, true)); }
  };
  show(h("h1", {}, "Skills"),
    h("div", { class: "card" }, h("h2", {}, "Import a skill package"),
      h("p", { class: "muted" }, "It is validated in the sandbox and waits for review like a learned skill."),
      file, " ", h("button", { id: "import", onclick: importPackage }, "Import"), status),
    skills.length === 0 ? h("p", { class: "muted" }, "No skill yet.") :
      h("table", { id: "skills" }, h("tr", {}, h("th", {}, "Skill"), h("th", {}, "Active version")),
        skills.map((s) => h("tr", {}, h("td", {}, link(`#/w/${enc(ws)}/skills/${enc(s.name)}`, s.name), h("div", { class: "muted" }, s.description)),
          h("td", { class: "active-version" }, s.activeVersion)))));
}

// The versions as a graph: one box per version, under its parent, with an edge from the parent.
function lineageGraph(ws, details) {
  const versions = details.versions;
  const byId = new Map(versions.map((v) => [v.id, v]));
  const depth = (v) => (v.parentVersionId && byId.has(v.parentVersionId) ? depth(byId.get(v.parentVersionId)) + 1 : 0);
  const levels = new Map();
  for (const v of versions) { const d = depth(v); levels.set(d, [...(levels.get(d) || []), v]); }
  const position = new Map();
  const boxW = 180, boxH = 46, gapX = 30, gapY = 40;
  for (const [d, list] of levels) list.forEach((v, k) => position.set(v.id, { x: 10 + k * (boxW + gapX), y: 10 + d * (boxH + gapY) }));
  const width = 20 + Math.max(...[...levels.values()].map((l) => l.length)) * (boxW + gapX);
  const height = 20 + levels.size * (boxH + gapY);
  const graph = svg("svg", { width, height, role: "img", "aria-label": "lineage", id: "lineage" });
  for (const v of versions) {
    if (!v.parentVersionId || !position.has(v.parentVersionId)) continue;
    const from = position.get(v.parentVersionId), to = position.get(v.id);
    graph.append(svg("path", { class: "edge", d: `M${from.x + boxW / 2},${from.y + boxH} L${to.x + boxW / 2},${to.y}` }));
  }
  for (const v of versions) {
    const p = position.get(v.id);
    const fitness = v.fitnessScore === null || v.fitnessScore === undefined ? "" : ` · fitness ${v.fitnessScore.toFixed(2)}`;
    const source = origin(ws, v);
    const label = svg("text", { x: p.x + 8, y: p.y + 36 }, `${source.text}${fitness}`);
    graph.append(svg("g", { class: v.id === details.activeVersion.id ? "node active" : "node", "data-version": v.version },
      svg("rect", { x: p.x, y: p.y, width: boxW, height: boxH, rx: 6 }),
      svg("text", { x: p.x + 8, y: p.y + 18 }, v.version),
      source.href ? svg("a", { href: source.href, class: "origin" }, label) : label));
  }
  return graph;
}

// Where a version came from: the mutation or the candidate that made it (with its page), or a registration.
function origin(ws, v) {
  if (v.sourceMutationId) return { text: "mutation", href: `#/w/${enc(ws)}/mutations/${enc(v.sourceMutationId)}` };
  if (v.sourceCandidateId) return { text: "candidate", href: `#/w/${enc(ws)}/candidates/${enc(v.sourceCandidateId)}` };
  return { text: "registered", href: null };
}

function originLink(ws, v) {
  const o = origin(ws, v);
  return o.href ? link(o.href, o.text) : o.text;
}

async function skillPage(ws, name) {
  const details = await api(`workspaces/${enc(ws)}/skills/${enc(name)}`);
  const status = h("div");
  const rollback = (version) => async () => {
    try {
      await post(`workspaces/${enc(ws)}/skills/${enc(name)}/rollback`, { version });
      await skillPage(ws, name);
      main.prepend(message(`Rolled back to ${version}.`));
    } catch (e) { status.replaceChildren(message(e.message, true)); }
  };
  show(h("h1", {}, "Skill ", h("span", { id: "skill-name" }, details.skill.name)),
    h("p", {}, details.skill.description),
    h("p", {}, "Active version: ", h("strong", { id: "active-version" }, details.activeVersion.version)),
    status,
    h("h2", {}, "Lineage"), lineageGraph(ws, details),
    h("h2", {}, "Versions"),
    h("p", {}, h("a", { href: `api/workspaces/${enc(ws)}/skills/${enc(name)}/export`, download: `${details.skill.name}.zip`, id: "export" }, "Export the active version as a package")),
    h("table", { id: "versions" }, h("tr", {}, h("th", {}, "Version"), h("th", {}, "From"), h("th", {}, "Created"), h("th", {})),
      details.versions.map((v) => h("tr", {}, h("td", {}, v.version),
        h("td", {}, originLink(ws, v)), h("td", {}, when(v.createdAt)),
        h("td", {}, v.id === details.activeVersion.id ? h("span", { class: "muted" }, "active")
          : h("button", { class: "secondary", "data-rollback": v.version, onclick: rollback(v.version) }, `Roll back to ${v.version}`))))),
    h("h2", {}, `Code of ${details.activeVersion.version}`), code(details.activeVersion.code, "active code"));
}

async function agentsPage(ws) {
  const [agents, settings] = await Promise.all([api(`workspaces/${enc(ws)}/agents`), api(`workspaces/${enc(ws)}/settings`)]);
  const perAgentLimit = settings.auto_dev.max_skill_candidates_per_day;
  const guidance = h("div", { id: "guidance" });
  const advise = (agentId) => async () => {
    guidance.replaceChildren(message(`Asking the advisor about ${agentId} ...`));
    try {
      const report = await post(`workspaces/${enc(ws)}/agents/${enc(agentId)}/guidance`);
      guidance.replaceChildren(h("div", { class: "card" }, h("h2", {}, `Guidance for ${agentId}`),
        report.items.length === 0 ? h("p", { class: "muted" }, "Nothing to act on.") :
          h("ul", {}, report.items.map((g) => h("li", { "data-kind": g.kind, class: `severity-${String(g.severity).toLowerCase()}` },
            h("strong", {}, `${g.severity}: ${g.title}`), " ", g.detail, " ", h("span", { class: "muted" }, `(${g.source})`)))),
        report.aiGuidanceProblem ? h("p", { class: "muted" }, `No AI guidance: ${report.aiGuidanceProblem}`) : null));
    } catch (e) { guidance.replaceChildren(message(e.message, true)); }
  };
  show(h("h1", {}, "Agents"),
    agents.length === 0 ? h("p", { class: "muted" }, "No agent has recorded an episode yet.") :
      h("table", { id: "agents" }, h("tr", {}, h("th", {}, "Agent"), h("th", {}, "Maturity"), h("th", {}, "Episodes"), h("th", {}, "Interventions"),
        h("th", {}, "Skill candidates today"), h("th", {}, "Readiness for next level"), h("th", {})),
        agents.map((a) => h("tr", {}, h("td", {}, a.agentId), h("td", {}, a.maturity), h("td", {}, a.episodes),
          h("td", {}, `${(a.interventionRate * 100).toFixed(0)}%`),
          h("td", { class: "candidates-today" }, `${a.skillCandidatesToday} of ${perAgentLimit}`),
          h("td", {}, h("meter", { min: 0, max: 1, value: a.readiness.score }), " ",
            a.readiness.next ? `${(a.readiness.score * 100).toFixed(0)}% to ${a.readiness.next}` : "top level",
            h("div", { class: "muted" }, a.readiness.shortfalls.join(", "))),
          h("td", {}, h("button", { class: "secondary", "data-guidance": a.agentId, onclick: advise(a.agentId) }, "Guidance"))))),
    guidance);
}

async function workspacePage(ws) {
  const [usage, settings] = await Promise.all([api(`workspaces/${enc(ws)}/usage`), api(`workspaces/${enc(ws)}/settings`)]);
  const editor = h("textarea", { id: "settings", rows: 14, spellcheck: "false" });
  editor.value = JSON.stringify(settings, null, 2);
  const status = h("div");
  const save = async () => {
    try {
      const saved = await send("PUT", `workspaces/${enc(ws)}/settings`, editor.value, "application/json");
      editor.value = JSON.stringify(saved, null, 2);
      status.replaceChildren(message("Saved.", false));
    } catch (e) { status.replaceChildren(message(e.message, true)); }
  };
  show(h("h1", {}, "Workspace ", ws),
    h("div", { class: "card", id: "usage" }, h("h2", {}, "Today (UTC)"),
      h("p", {}, "Model tokens: ", h("meter", { min: 0, max: Math.max(1, usage.tokenBudget), value: usage.tokensUsed }), ` ${usage.tokensUsed} of ${usage.tokenBudget}`),
      h("p", { id: "mutations-today" }, "Mutations: ", h("meter", { min: 0, max: Math.max(1, usage.maxMutationsPerDay), value: usage.mutationsToday }), ` ${usage.mutationsToday} of ${usage.maxMutationsPerDay}`),
      h("p", {}, `Skill candidates: at most ${usage.maxSkillCandidatesPerDay} per agent per day (each agent's count is on the `, link(`#/w/${enc(ws)}/agents`, "Agents"), " page).")),
    h("h2", {}, "Settings"), editor, h("p", {}, h("button", { id: "save-settings", onclick: save }, "Save settings")), status);
}

// ---- the live feed -----------------------------------------------------------------------------------------------

const feed = [];
let source = null, feedWorkspace = null;
const eventTypes = ["TaskFailed", "CapabilityUnlocked", "SkillCandidateGenerated", "SkillCandidateValidated", "SkillPromoted", "SkillRegistered", "SkillRolledBack", "ToolMutationGenerated", "ToolMutationEvaluated"];

function describe(type, e) {
  switch (type) {
    case "SkillPromoted": return `${e.skill.name} ${e.version.version} promoted by ${e.promotedBy}`;
    case "SkillRegistered": return `${e.skill.name} ${e.version.version} registered`;
    case "SkillRolledBack": return `${e.skill ? e.skill.name : "a skill"} rolled back`;
    case "SkillCandidateGenerated": case "SkillCandidateValidated": return `${e.candidate.name}: ${e.candidate.status}`;
    case "TaskFailed": return `agent ${e.episode ? e.episode.agentId : ""} failed a task`;
    default: return type;
  }
}

function listen(ws) {
  if (feedWorkspace === ws) return;
  if (source) source.close();
  feed.length = 0;
  feedWorkspace = ws;
  source = new EventSource(`api/workspaces/${enc(ws)}/events`);
  source.addEventListener("connected", () => { live.textContent = "live"; live.classList.add("on"); });
  source.onerror = () => { live.textContent = "offline"; live.classList.remove("on"); };
  for (const type of eventTypes) {
    source.addEventListener(type, (event) => {
      const data = JSON.parse(event.data);
      feed.unshift({ type, at: data.occurredAt, text: describe(type, data) });
      if (feed.length > 200) feed.pop();
      if (location.hash.endsWith("/activity")) activityPage(ws);
    });
  }
}

function activityPage() {
  show(h("h1", {}, "Activity"),
    feed.length === 0 ? h("p", { class: "muted" }, "Nothing has happened since this page opened.") :
      h("ul", { class: "feed", id: "feed" }, feed.map((f) => h("li", { "data-type": f.type }, h("strong", {}, f.type), " ", f.text, " ", h("span", { class: "muted" }, when(f.at))))));
}

// ---- routing -----------------------------------------------------------------------------------------------------

function navigation(ws) {
  const here = location.hash;
  const item = (path, text) => link(`#/w/${enc(ws)}/${path}`, text, { class: here.startsWith(`#/w/${enc(ws)}/${path}`) ? "active" : null });
  nav.replaceChildren(item("queue", "Review queue"), item("skills", "Skills"), item("agents", "Agents"), item("workspace", "Workspace"), item("activity", "Activity"));
}

async function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  try {
    if (parts[0] !== "w" || !parts[1]) { nav.replaceChildren(); return await workspacesPage(); }
    const ws = parts[1];
    navigation(ws);
    listen(ws);
    switch (parts[2]) {
      case "candidates": return await candidatePage(ws, parts[3]);
      case "mutations": return await mutationPage(ws, parts[3]);
      case "skills": return parts[3] ? await skillPage(ws, parts[3]) : await skillsPage(ws);
      case "agents": return await agentsPage(ws);
      case "workspace": return await workspacePage(ws);
      case "activity": return activityPage(ws);
      default: return await queuePage(ws);
    }
  } catch (e) {
    show(message(e instanceof ApiError && e.status === 404 ? "Not found." : `Something went wrong: ${e.message}`, true));
  }
}

window.addEventListener("hashchange", route);
route();
