// The Wallaroo view: workspaces -> orchestrations -> tasks -> runs, read from /v1/api with the
// browser's Airflow login cookie. Plain DOM, no build step. Every value from the API is set as
// text (never as HTML). Views are chosen by the query string, so each one has its own URL, which
// Airflow's UI mirrors in its own address bar when the page runs in its iframe.
"use strict";

(() => {
  const API = new URL("../api/", location.href);
  const AIRFLOW = new URL("../../", location.href);
  const params = new URLSearchParams(location.search);
  const main = document.getElementById("main");
  const crumbs = document.getElementById("crumbs");
  const updated = document.getElementById("updated");

  const STATUS_COLORS = {
    ready: "green", success: "green", started: "cyan", running: "cyan",
    pending_packaging: "yellow", packaging: "yellow", pending: "yellow", pending_kill: "yellow",
    pending_pause: "yellow", pending_resume: "yellow", paused: "yellow",
    error: "red", failure: "red", failed: "red", timed_out: "red", crash_loop: "red", schedule_error: "red",
    killed: "purple",
  };
  const ACTIVE_TASK = new Set(["pending", "started", "pending_kill", "pending_pause", "pending_resume", "crash_loop"]);
  const KINDS = { Oneshot: "once", CronJob: "scheduled", NetworkService: "continuous" };

  // Follow Airflow's colour mode: the class on its page when framed (same origin), else its
  // stored choice ("theme": light, dark or system).
  function airflowIsDark() {
    try {
      if (window.parent !== window) return window.parent.document.documentElement.classList.contains("dark");
    } catch (_) { /* not same-origin */ }
    let mode = null;
    try { mode = localStorage.getItem("theme"); } catch (_) { /* no storage */ }
    return mode === "dark" || ((!mode || mode === "system") && matchMedia("(prefers-color-scheme: dark)").matches);
  }
  if (airflowIsDark()) document.documentElement.classList.add("dark");

  class ApiError extends Error {
    constructor(msg, code) { super(msg); this.code = code; }
  }

  async function api(path, body) {
    let response;
    try {
      response = await fetch(new URL(path, API), {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body || {}),
      });
    } catch (err) {
      throw new ApiError(`the server did not answer (${err.message})`, 0);
    }
    let data = null;
    try { data = await response.json(); } catch (_) { /* not JSON */ }
    if (!response.ok) {
      const msg = data && (data.msg || data.detail);
      throw new ApiError(typeof msg === "string" ? msg : response.statusText, response.status);
    }
    return data;
  }

  // -- building blocks ------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null) continue;
      if (key === "className") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const here = (query) => "?" + new URLSearchParams(query).toString();
  const link = (query, text, title) => el("a", { href: here(query), title }, text);
  const airflowUrl = (path) => new URL(path, AIRFLOW).href;
  const enc = encodeURIComponent;
  const dagUrl = (taskId) => airflowUrl(`dags/wallaroo_task_${enc(taskId)}`);
  const runUrl = (taskId, runId) => `${dagUrl(taskId)}/runs/${enc(runId)}`;
  const runLogUrl = (taskId, runId) => `${runUrl(taskId, runId)}/tasks/run_orchestration`;
  const packagingUrl = (o) => airflowUrl(`dags/wallaroo_packaging/runs/${enc(o.task_id)}/tasks/build_environment`);

  // Links to Airflow's own pages open in Airflow's window, not in this frame. The frame is
  // sandboxed without top navigation, but it is same-origin: push the URL into Airflow's
  // history and let its router (which listens to popstate) show the page.
  function openInAirflow(event) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (window.top === window) return; // not framed: an ordinary link
    const target = new URL(event.currentTarget.href);
    try {
      const top = window.top;
      if (top.location.origin !== target.origin) return;
      const state = top.history.state;
      const idx = state && typeof state.idx === "number" ? state.idx + 1 : null;
      top.history.pushState({ usr: null, key: Math.random().toString(36).slice(2, 10), idx }, "",
        target.pathname + target.search + target.hash);
      top.dispatchEvent(new top.PopStateEvent("popstate", { state: top.history.state }));
      event.preventDefault();
    } catch (_) { /* cross-origin parent: let the browser try the plain link */ }
  }
  const airflowLink = (href, text) => el("a", { href, target: "_top", className: "airflow", onclick: openInAirflow,
    title: "open in Airflow" }, text);

  const badge = (status) => el("span", { className: `badge ${STATUS_COLORS[status] || ""}` }, status);
  const dot = (status, title) => el("span", { className: `dot ${STATUS_COLORS[status] || ""}`, title });
  const kindOf = (task) => KINDS[task.run_type] || task.run_type;
  const shortId = (id) => String(id).slice(0, 8);

  function when(iso) {
    if (!iso) return "-";
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace("T", " ").slice(0, 19) + " UTC";
  }

  function size(bytes) {
    let amount = bytes;
    for (const unit of ["B", "KiB", "MiB", "GiB"]) {
      if (amount < 1024 || unit === "GiB") return unit === "B" ? `${amount} B` : `${amount.toFixed(1)} ${unit}`;
      amount /= 1024;
    }
    return `${bytes} B`;
  }

  function table(id, headers, rows, empty) {
    if (!rows.length) return el("p", { id, className: "muted" }, empty);
    return el("table", { id },
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
      el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) =>
        c instanceof Node && c.tagName === "TD" ? c : el("td", {}, c))))));
  }

  const mono = (text, title) => el("td", { className: "mono", title }, text);

  function fields(pairs) {
    return el("dl", { className: "fields" }, pairs.map(([name, value]) => [el("dt", {}, name), el("dd", {}, value ?? "-")]));
  }

  function setCrumbs(parts) {
    const nodes = [];
    parts.forEach(([text, query], i) => {
      if (i) nodes.push(el("span", { className: "sep" }, "›"));
      nodes.push(query && i < parts.length - 1 ? link(query, text) : el("span", {}, text));
    });
    crumbs.replaceChildren(...nodes);
  }

  function workspaceName(workspaces, id) {
    const found = workspaces.find((w) => w.id === id);
    return found ? found.name : `workspace ${id}`;
  }

  function tasksTable(tasks, orchestrationNames) {
    return table("tasks", ["Task", "Kind", "Schedule", "Status", "Last runs", "Orchestration", "Created", "Airflow"],
      tasks.map((t) => [
        el("span", {}, link({ task: t.id }, t.name || shortId(t.id), t.id),
          t.name ? el("span", { className: "muted mono" }, ` ${shortId(t.id)}`) : null),
        kindOf(t), t.schedule || "-", badge(t.status),
        el("span", {}, t.last_runs.map((r) => el("a", { href: here({ task: t.id, run: r.run_id }),
          title: `${r.status} ${when(r.created_at)}` }, dot(r.status)))),
        link({ orch: t.orch_id }, orchestrationNames[t.orch_id] || shortId(t.orch_id), t.orch_id),
        when(t.created_at), airflowLink(dagUrl(t.id), "DAG"),
      ]), "No tasks.");
  }

  // -- views: each renders into main and says whether something is still changing ----------

  async function viewHome() {
    const [listed, all] = await Promise.all([api("workspaces/list"), api("orchestration/list_all", { workspace_ids: [] })]);
    setCrumbs([["Wallaroo"]]);
    const counts = {};
    for (const entry of all.orchestrations) {
      const c = counts[entry.workspace.id] || (counts[entry.workspace.id] = { orchestrations: 0, tasks: 0 });
      c.orchestrations += 1;
      c.tasks += entry.tasks.length;
    }
    main.replaceChildren(
      el("h2", {}, "Workspaces"),
      table("workspaces", ["Workspace", "ID", "Created by", "Created", "Orchestrations", "Tasks"],
        listed.workspaces.map((w) => [link({ ws: w.id }, w.name), w.id, w.created_by, when(w.created_at),
          (counts[w.id] || {}).orchestrations || 0, (counts[w.id] || {}).tasks || 0]), "No workspaces."));
    return false;
  }

  async function viewWorkspace(id) {
    const [listed, all, tasks] = await Promise.all([
      api("workspaces/list"), api("orchestration/list_all", { workspace_ids: [id] }), api("task/list", { workspace_id: id }),
    ]);
    const name = workspaceName(listed.workspaces, id);
    setCrumbs([["Wallaroo", {}], [name]]);
    const names = Object.fromEntries(all.orchestrations.map((e) => [e.orchestration.id, e.orchestration.name]));
    main.replaceChildren(
      el("h2", {}, "Orchestrations"),
      table("orchestrations", ["Orchestration", "Status", "SHA", "Size", "Tasks", "Created", "Packaging log"],
        all.orchestrations.map(({ orchestration: o, tasks: its }) => [
          link({ orch: o.id }, o.name, o.id), badge(o.status), mono(o.sha.slice(0, 12), o.sha), size(o.file_size),
          its.length, when(o.created_at), airflowLink(packagingUrl(o), "log"),
        ]), "No orchestrations yet: upload one with `airflow-wallaroo orch upload`."),
      el("h2", {}, "Tasks"),
      tasksTable(tasks, names));
    return all.orchestrations.some((e) => !["ready", "error"].includes(e.orchestration.status))
      || tasks.some((t) => ACTIVE_TASK.has(t.status));
  }

  async function viewOrchestration(id) {
    const o = await api("orchestration/get_by_id", { id });
    const [listed, tasks] = await Promise.all([api("workspaces/list"), api("task/list", { orch_id: id })]);
    setCrumbs([["Wallaroo", {}], [workspaceName(listed.workspaces, o.workspace_id), { ws: o.workspace_id }], [o.name]]);
    main.replaceChildren(
      fields([
        ["Status", badge(o.status)], ["ID", el("span", { className: "mono" }, o.id)],
        ["SHA-256", el("span", { className: "mono" }, o.sha)], ["File", `${o.file_name} (${size(o.file_size)})`],
        ["Owner", o.owner_id], ["Image", o.image_path], ["Created", when(o.created_at)], ["Updated", when(o.updated_at)],
        ["Packaging", airflowLink(packagingUrl(o), "packaging run log in Airflow")],
      ]),
      o.msg ? [el("h2", {}, "Build output (end)"), el("pre", { className: "error" }, o.msg)] : [],
      el("h2", {}, "Tasks"),
      tasksTable(tasks, { [o.id]: o.name }));
    return !["ready", "error"].includes(o.status) || tasks.some((t) => ACTIVE_TASK.has(t.status));
  }

  async function viewTask(id) {
    const t = await api("task/get_by_id", { id });
    const [o, listed, runs] = await Promise.all([
      api("orchestration/get_by_id", { id: t.orch_id }).catch(() => null),
      api("workspaces/list"), api("task/list_task_runs", { task_id: id, limit: 50 }),
    ]);
    setCrumbs([["Wallaroo", {}], [workspaceName(listed.workspaces, t.workspace_id), { ws: t.workspace_id }],
      [o ? o.name : shortId(t.orch_id), { orch: t.orch_id }], [t.name || shortId(t.id)]]);
    main.replaceChildren(
      fields([
        ["Status", badge(t.status)], ["ID", el("span", { className: "mono" }, t.id)], ["Kind", kindOf(t)],
        ["Schedule", t.schedule || "-"], ["Timeout", t.timeout ? `${t.timeout} s` : "-"],
        ["Arguments", el("span", { className: "mono" }, JSON.stringify(t.input_data))],
        ["Orchestration", link({ orch: t.orch_id }, o ? o.name : t.orch_id)],
        ["Created", when(t.created_at)], ["Updated", when(t.updated_at)],
        ["Airflow", airflowLink(dagUrl(t.id), `DAG wallaroo_task_${t.id}`)],
      ]),
      el("h2", {}, "Runs"),
      table("runs", ["Run", "Status", "Started", "Updated", "Logs", "Airflow"],
        runs.map((r) => [
          mono(r.run_id), badge(r.status), when(r.created_at), when(r.updated_at),
          link({ task: t.id, run: r.run_id }, "logs"), airflowLink(runUrl(t.id, r.run_id), "run"),
        ]), "No runs yet."));
    return ACTIVE_TASK.has(t.status) || runs.some((r) => r.status === "running");
  }

  function logLine(line) {
    // "<time> <stream> F <text>", the container-runtime log form.
    const match = /^(\S+) (stdout|stderr) [FP] (.*)$/s.exec(line);
    if (!match) return el("div", {}, line);
    return el("div", { className: match[2] }, el("span", { className: "time" }, match[1].slice(11, 23) + " "), match[3]);
  }

  async function viewRun(taskId, runId) {
    const [t, run, logs] = await Promise.all([
      api("task/get_by_id", { id: taskId }), api("task/get_run_details", { task: taskId, pod_id: runId }),
      api("task/get_logs_for_run", { id: runId }),
    ]);
    const [o, listed] = await Promise.all([
      api("orchestration/get_by_id", { id: t.orch_id }).catch(() => null), api("workspaces/list"),
    ]);
    setCrumbs([["Wallaroo", {}], [workspaceName(listed.workspaces, t.workspace_id), { ws: t.workspace_id }],
      [o ? o.name : shortId(t.orch_id), { orch: t.orch_id }], [t.name || shortId(t.id), { task: t.id }],
      [`run ${shortId(runId)}`]]);
    const previous = main.querySelector("pre.logs");
    const atBottom = !previous || previous.scrollHeight - previous.scrollTop - previous.clientHeight < 40;
    const pre = el("pre", { className: "logs", id: "logs" },
      logs.logs.length ? logs.logs.map(logLine) : el("span", { className: "time" },
        t.killed ? "(logs are deleted when a task is killed)" : "(no output yet)"));
    main.replaceChildren(
      fields([
        ["Status", badge(run.status)], ["Run", el("span", { className: "mono" }, run.run_id)],
        ["Started", when(run.created_at)], ["Updated", when(run.updated_at)],
        ["Airflow", el("span", { className: "links" }, airflowLink(runUrl(taskId, runId), "run page"),
          airflowLink(runLogUrl(taskId, runId), "task log"))],
      ]),
      el("h2", {}, `Logs (${logs.logs.length} lines)`), pre);
    if (atBottom) pre.scrollTop = pre.scrollHeight;
    return run.status === "running";
  }

  function route() {
    if (params.has("run") && params.has("task")) return viewRun(params.get("task"), params.get("run"));
    if (params.has("task")) return viewTask(params.get("task"));
    if (params.has("orch")) return viewOrchestration(params.get("orch"));
    if (params.has("ws")) return viewWorkspace(Number(params.get("ws")));
    return viewHome();
  }

  function showError(err) {
    if (err.code === 401) {
      setCrumbs([["Wallaroo"]]);
      main.replaceChildren(el("div", { className: "notice", id: "error" }, "You are not logged in to Airflow. ",
        airflowLink(airflowUrl(""), "Log in"), " and come back."));
      return;
    }
    main.replaceChildren(el("div", { className: "notice", id: "error" },
      el("strong", {}, err.code ? `Error ${err.code}: ` : "Error: "), err.message, " ",
      link({}, "Back to the workspaces")));
  }

  async function render() {
    let active = false;
    try {
      active = await route();
      updated.textContent = `updated ${new Date().toISOString().slice(11, 19)} UTC`;
    } catch (err) {
      showError(err);
    }
    if (active) setTimeout(render, params.has("run") ? 2000 : 5000);
  }

  render();
})();
