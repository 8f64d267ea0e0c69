// Cambrian's dashboard: runs, leaderboard, candidates, fitness over time,
// MAP-Elites grids, lineage, LLM calls. Every string from a run (what a
// candidate or an LLM wrote) is put in the page as text, never as markup.
"use strict";

const DATA = window.CAMBRIAN_DATA || null;  // set in a `cambrian report` file
const TOKEN = new URLSearchParams(location.search).get("token");
const COLORS = ["#2b6cb0", "#c05621", "#2f855a", "#805ad5", "#b83280", "#2c7a7b", "#975a16"];
let timer = null;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "onclick" || k === "onchange") node[k] = v; else node.setAttribute(k, v);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function get(path) {
  if (DATA) {
    const value = DATA[path];
    if (value === undefined) throw new Error("not in this report: " + path);
    return value;
  }
  const headers = TOKEN ? {Authorization: "Bearer " + TOKEN} : {};
  const response = await fetch("api/" + path, {headers});
  if (!response.ok) throw new Error(path + ": HTTP " + response.status);
  return response.json();
}

const fmt = (x) => (x === null || x === undefined) ? "-" : Number(x).toPrecision(6).replace(/\.?0+$/, "");
const link = (hash, text) => el("a", {href: hash}, text);
const section = (title, ...body) => el("section", {}, el("h2", {}, title), ...body);

function setMain(...nodes) {
  const main = document.getElementById("main");
  main.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined));
}

async function showRuns() {
  const runs = await get("runs");
  const rows = runs.map((r) => el("tr", {},
    el("td", {}, link("#/run/" + r.key, r.dir)), el("td", {}, r.task),
    el("td", {}, r.running ? "running" : "stopped"), el("td", {class: "num"}, r.candidates),
    el("td", {class: "num"}, fmt(r.best_fitness)), el("td", {}, r.best_id ? "#" + r.best_id : "-")));
  setMain(section("Runs", el("table", {id: "runs"},
    el("tr", {}, ["run", "task", "state", "candidates", "best fitness", "best"].map((h) => el("th", {}, h))),
    rows)));
}

// The leaderboard with sort and filters; rows within the noise of the best are ties.
function leaderboard(run, state) {
  const pick = (name, values) => el("select", {id: "filter-" + name, onchange: (e) => {
    state.filters[name] = e.target.value; render(); }},
    el("option", {value: ""}, "all " + name + "s"),
    [...new Set(values)].sort().map((v) => el("option", {value: String(v)}, name + " " + v)));
  const body = el("tbody");
  const cols = [["id", "id"], ["fitness", "fitness"], ["outcome", "outcome"], ["mutator", "mutator"],
                ["island", "island"], ["parent_id", "parent"], ["description", "change"]];
  function render() {
    // The outcome filter's values are an outcome, or the status of a candidate without one.
    const value = (c, k) => String(k === "outcome" ? c.outcome || c.status : c[k]);
    let rows = run.candidates.filter((c) => Object.entries(state.filters).every(
      ([k, v]) => !v || value(c, k) === v));
    const key = state.sort, sign = state.descending ? -1 : 1;
    rows.sort((a, b) => {
      const x = a[key], y = b[key];
      if (x === y) return a.id - b.id;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * sign;
    });
    const best = run.best_fitness, front = new Set(run.front);
    body.replaceChildren(...rows.slice(0, 500).map((c) => el("tr",
      {class: front.has(c.id) ? "front" : c.fitness !== null && best !== null &&
              c.id !== run.best_id && !run.objectives.length && tie(run, c.fitness, best) ? "tie" : ""},
      el("td", {}, link("#/run/" + run.key + "/c/" + c.id, "#" + c.id)),
      el("td", {class: "num"}, fmt(c.fitness)),
      el("td", {class: c.outcome === "ok" ? "ok" : "bad"}, c.outcome || c.status),
      el("td", {}, c.mutator), el("td", {class: "num"}, c.island),
      el("td", {}, c.parent_id ? "#" + c.parent_id : "-"), el("td", {}, c.description))));
  }
  const head = el("tr", {}, cols.map(([k, label]) => el("th", {onclick: () => {
    state.descending = state.sort === k ? !state.descending : k === "fitness" && run.goal === "maximize";
    state.sort = k; render(); }}, label)));
  render();
  return section("Leaderboard",
    el("div", {class: "filters"}, pick("island", run.candidates.map((c) => c.island)),
       pick("mutator", run.candidates.map((c) => c.mutator)),
       pick("outcome", run.candidates.map((c) => c.outcome || c.status))),
    el("table", {id: "leaderboard"}, el("thead", {}, head), body),
    run.noise > 0 || run.noise_relative > 0 ? el("p", {class: "muted"}, "~ within the task's noise (" +
      noiseText(run) + ") of the best") : null,
    run.front.length ? el("p", {class: "muted"}, "* on the run's Pareto front") : null);
}

function noiseText(run) {
  return [run.noise > 0 || !run.noise_relative ? String(run.noise) : null,
          run.noise_relative > 0 ? (100 * run.noise_relative) + "%" : null].filter((x) => x).join(" + ");
}

// Within the task's noise of each other: a tie, not a win.
function tie(run, a, b) {
  return (run.noise > 0 || run.noise_relative > 0) &&
    Math.abs(a - b) <= run.noise + run.noise_relative * Math.max(Math.abs(a), Math.abs(b));
}

// A multi-objective run: its first two objectives against each other, every
// scored candidate a dot, the front's members joined, and the front as a table.
function frontView(run) {
  if (run.objectives.length < 2) return null;
  const [ox, oy] = run.objectives, front = new Set(run.front);
  const scored = run.candidates.filter((c) => c.fitness !== null && ox.name in c.objectives &&
                                              oy.name in c.objectives);
  if (!scored.length) return section("Pareto front", el("p", {class: "muted"}, "no scored candidate yet"));
  const xs = scored.map((c) => c.objectives[ox.name]), ys = scored.map((c) => c.objectives[oy.name]);
  const w = 640, h = 320, lo = Math.min(...xs), hi = Math.max(...xs);
  const x = scale(lo, hi, 50, w - 10), y = scale(Math.min(...ys), Math.max(...ys), h - 30, 10);
  const plot = plotFrame("front-plot", "the Pareto front", w, h, ox.name + " (" + ox.goal + ")",
                         oy.name, Math.min(...ys), Math.max(...ys), hi);
  plot.querySelector("text:nth-of-type(5)").textContent = fmt(lo);
  const members = scored.filter((c) => front.has(c.id))
    .sort((a, b) => a.objectives[ox.name] - b.objectives[ox.name]);
  plot.append(svg("polyline", {points: members.map((c) => x(c.objectives[ox.name]).toFixed(1) + "," +
    y(c.objectives[oy.name]).toFixed(1)).join(" "), fill: "none", stroke: "#1d2430", "stroke-width": 1.5}));
  for (const c of scored) {
    const on = front.has(c.id);
    plot.append(svg("circle", {cx: x(c.objectives[ox.name]), cy: y(c.objectives[oy.name]), r: on ? 5 : 3,
      "class": on ? "front-point" : "point", fill: on ? "#c0392b" : "#7f8c8d", "fill-opacity": on ? 0.9 : 0.4},
      svg("title", {}, "#" + c.id + " " + run.objectives.map((o) => o.name + " " + fmt(c.objectives[o.name])).join(", "))));
  }
  const table = el("table", {id: "front"},
    el("tr", {}, ["id", ...run.objectives.map((o) => o.name + " (" + o.goal + ")"), "mutator", "change"]
      .map((t) => el("th", {}, t))),
    members.map((c) => el("tr", {}, el("td", {}, link("#/run/" + run.key + "/c/" + c.id, "#" + c.id)),
      run.objectives.map((o) => el("td", {class: "num"}, fmt(c.objectives[o.name]))),
      el("td", {}, c.mutator), el("td", {}, c.description))));
  return section("Pareto front (" + members.length + " of " + scored.length + " scored)", plot, table,
    el("p", {class: "muted"}, "red: on the front (no other is better on one objective and no worse on the rest, beyond the noise); grey: the rest"));
}

// x, y scales over [lo, hi] onto a plot area.
function scale(lo, hi, a, b) {
  if (!(hi > lo)) { lo -= 1; hi += 1; }
  return (v) => a + (v - lo) / (hi - lo) * (b - a);
}

function plotFrame(id, title, w, h, xlabel, ylabel, ylo, yhi, xhi) {
  const frame = svg("svg", {id, width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: "img"});
  frame.append(svg("title", {}, title),
    svg("line", {x1: 50, y1: h - 30, x2: w - 10, y2: h - 30, stroke: "#999"}),
    svg("line", {x1: 50, y1: 10, x2: 50, y2: h - 30, stroke: "#999"}),
    svg("text", {x: w / 2, y: h - 6, "text-anchor": "middle"}, xlabel),
    svg("text", {x: 4, y: 14}, fmt(yhi)), svg("text", {x: 4, y: h - 32}, fmt(ylo)),
    svg("text", {x: 4, y: h / 2}, ylabel),
    svg("text", {x: 50, y: h - 16}, "0"),
    svg("text", {x: w - 10, y: h - 16, "text-anchor": "end"}, fmt(xhi)));
  return frame;
}

function fitnessPlot(run) {
  const scored = run.candidates.filter((c) => c.fitness !== null && c.finished);
  const w = 640, h = 280;
  if (!scored.length) return section("Fitness over time", el("p", {class: "muted"}, "no scored candidate yet"));
  const t0 = run.created, t1 = Math.max(...scored.map((c) => c.finished));
  const f = scored.map((c) => c.fitness);
  const x = scale(0, t1 - t0, 50, w - 10), y = scale(Math.min(...f), Math.max(...f), h - 30, 10);
  const plot = plotFrame("fitness-plot", "fitness of every candidate and the best so far", w, h,
                         "seconds into the run", "fitness", Math.min(...f), Math.max(...f), t1 - t0);
  const better = run.goal === "maximize" ? (a, b) => a > b : (a, b) => a < b;
  const islands = [...new Set(scored.map((c) => c.island))].sort((a, b) => a - b);
  for (const island of [null, ...islands]) {
    let best = null, points = [];
    for (const c of [...scored].sort((a, b) => a.finished - b.finished)) {
      if (island !== null && c.island !== island) continue;
      if (best === null || better(c.fitness, best)) best = c.fitness;
      points.push(`${x(c.finished - t0).toFixed(1)},${y(best).toFixed(1)}`);
    }
    plot.append(svg("polyline", {points: points.join(" "), fill: "none",
      stroke: island === null ? "#1d2430" : COLORS[island % COLORS.length],
      "stroke-width": island === null ? 2.5 : 1, "class": "best-line"}));
  }
  for (const c of scored) {
    plot.append(svg("circle", {cx: x(c.finished - t0), cy: y(c.fitness), r: 3, "class": "point",
      fill: COLORS[c.island % COLORS.length], "fill-opacity": 0.6}, svg("title", {}, "#" + c.id + " " + fmt(c.fitness))));
  }
  return section("Fitness over time", plot,
    el("p", {class: "muted"}, "dots: every scored candidate, by island; black: best so far; thin: best so far per island"));
}

function heatmaps(run) {
  const feats = run.features.slice(0, 2);
  const maps = run.islands.map((island, i) => {
    const bx = feats[0] ? feats[0].bins : 1, by = feats[1] ? feats[1].bins : 1;
    const size = 22, w = 60 + bx * size, h = 40 + by * size;
    const cells = new Map();
    for (const [id, fitness, values] of island.grid) {
      const bin = (k) => feats[k] ? Math.min(feats[k].bins - 1, Math.max(0, Math.floor(
        (values[k] - feats[k].lo) / (feats[k].hi - feats[k].lo) * feats[k].bins))) : 0;
      cells.set(bin(0) + "," + bin(1), {id, fitness});
    }
    const fs = [...cells.values()].map((c) => c.fitness);
    const lo = Math.min(...fs), hi = Math.max(...fs);
    const map = svg("svg", {width: w, height: h, "class": "heatmap", id: "grid-" + i},
      svg("title", {}, "island " + i + " MAP-Elites grid"));
    for (let gx = 0; gx < bx; ++gx) for (let gy = 0; gy < by; ++gy) {
      const cell = cells.get(gx + "," + gy);
      const t = cell ? (hi > lo ? (cell.fitness - lo) / (hi - lo) : 1) : 0;
      const v = run.goal === "maximize" ? t : 1 - t;
      map.append(svg("rect", {x: 50 + gx * size, y: 10 + (by - 1 - gy) * size, width: size - 2, height: size - 2,
        fill: cell ? `hsl(${Math.round(220 - 180 * v)}, 70%, 50%)` : "#eceef2", "class": cell ? "cell" : "empty"},
        svg("title", {}, cell ? "#" + cell.id + " " + fmt(cell.fitness) : "empty")));
    }
    map.append(svg("text", {x: 50, y: h - 8}, (feats[0] ? feats[0].name : "one cell") + " ->"),
               svg("text", {x: 2, y: 20}, feats[1] ? feats[1].name : ""));
    return el("div", {}, el("div", {class: "muted"}, "island " + i + ": " + island.grid.length + " cells"), map);
  });
  return section("MAP-Elites grids", el("div", {class: "grid"}, maps));
}

function lineageTree(run) {
  const byId = new Map(run.candidates.map((c) => [c.id, c]));
  const depth = new Map();
  const depthOf = (c) => {
    if (depth.has(c.id)) return depth.get(c.id);
    const p = c.parent_id && byId.get(c.parent_id);
    const d = p ? depthOf(p) + 1 : 0;
    depth.set(c.id, d);
    return d;
  };
  const shown = run.candidates.slice(0, 400);
  shown.forEach(depthOf);
  const rows = new Map();
  const pos = new Map();
  for (const c of shown) {
    const d = depth.get(c.id), r = rows.get(d) || 0;
    rows.set(d, r + 1);
    pos.set(c.id, [30 + d * 70, 14 + r * 16]);
  }
  const w = 60 + (Math.max(...depth.values()) + 1) * 70, h = 30 + Math.max(...rows.values()) * 16;
  const tree = svg("svg", {width: w, height: h, id: "lineage"}, svg("title", {}, "lineage tree"));
  for (const c of shown) {
    const [x, y] = pos.get(c.id);
    if (c.parent_id && pos.has(c.parent_id)) {
      const [px, py] = pos.get(c.parent_id);
      tree.append(svg("line", {x1: px, y1: py, x2: x, y2: y, stroke: "#c3c8d0"}));
    }
  }
  for (const c of shown) {
    const [x, y] = pos.get(c.id);
    const a = svg("a", {href: "#/run/" + run.key + "/c/" + c.id},
      svg("circle", {cx: x, cy: y, r: c.id === run.best_id ? 6 : 4, fill: c.fitness === null ? "#d0d4da" :
        COLORS[c.island % COLORS.length]}, svg("title", {}, "#" + c.id + " " + c.mutator + " " + fmt(c.fitness))));
    tree.append(a);
  }
  return section("Lineage", el("div", {class: "scroll"}, tree),
    el("p", {class: "muted"}, "each column a generation from the seed; the big dot is the best"));
}

function llmPlot(run) {
  const calls = run.llm_calls;
  if (!calls.length) return section("LLM calls", el("p", {class: "muted"}, "no LLM call in this run"));
  const w = 640, h = 220, t0 = run.created, t1 = Math.max(...calls.map((c) => c.time));
  let spent = 0;
  const cost = calls.map((c) => (spent += c.cost_usd));
  const x = scale(0, t1 - t0, 50, w - 10), y = scale(0, Math.max(spent, 1e-9), h - 30, 10);
  const plot = plotFrame("llm-plot", "LLM spend and call outcomes", w, h, "seconds into the run", "$",
                         0, spent, t1 - t0);
  plot.append(svg("polyline", {fill: "none", stroke: "#1d2430", points: calls.map(
    (c, i) => `${x(c.time - t0).toFixed(1)},${y(cost[i]).toFixed(1)}`).join(" ")}));
  for (const c of calls) {
    plot.append(svg("circle", {cx: x(c.time - t0), cy: h - 36, r: 3, "class": "call",
      fill: c.outcome === "ok" ? "#2f855a" : "#c53030"}, svg("title", {}, c.model + ": " + c.outcome)));
  }
  const counts = {};
  for (const c of calls) counts[c.outcome] = (counts[c.outcome] || 0) + 1;
  return section("LLM calls", plot, el("p", {},
    Object.entries(counts).map(([k, v]) => k + " " + v).join(", ") + "; $" + spent.toFixed(4) + " in all"));
}

async function showRun(key) {
  const run = await get("run/" + key);
  document.getElementById("where").textContent = run.dir + " (" + run.task + ")";
  document.getElementById("live").textContent = run.running ? "live: refreshes every 5 s" : "";
  const state = showRun.state && showRun.state.key === key ? showRun.state : {key, sort: "fitness",
    descending: run.goal === "maximize", filters: {}};
  showRun.state = state;
  const summary = run.objectives.length
    ? run.candidates.length + " candidates, " + run.front.length + " on the Pareto front of " +
      run.objectives.map((o) => o.name + " (" + o.goal + ")").join(" and ") + "; best " +
      run.objectives[0].name + " " + fmt(run.best_fitness) + " (#" + run.best_id + ")"
    : run.candidates.length + " candidates, best " + (run.best_id ? "#" + run.best_id : "-") +
      " with fitness " + fmt(run.best_fitness) + " (" + run.goal + ")";
  setMain(section("Summary", el("p", {}, summary)),
    el("div", {class: "plots"}, fitnessPlot(run), llmPlot(run)),
    frontView(run), leaderboard(run, state), heatmaps(run), lineageTree(run));
  if (run.running && !DATA) timer = setTimeout(route, 5000);
}

function diffView(text) {
  return el("pre", {class: "diff"}, text.split("\n").map((line) => el("span", {class:
    line.startsWith("@@") ? "hunk" : line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : ""}, line + "\n")));
}

async function showCandidate(key, id) {
  const d = await get("run/" + key + "/candidate/" + id);
  const c = d.candidate;
  const runLink = "#/run/" + key;
  setMain(
    section("Candidate #" + c.id, el("p", {}, link(runLink, "back to the run")),
      el("table", {id: "facts"},
        el("tr", {}, el("th", {}, "outcome"), el("td", {}, c.outcome || c.status)),
        el("tr", {}, el("th", {}, "fitness"), el("td", {}, fmt(c.fitness))),
        el("tr", {}, el("th", {}, "mutator"), el("td", {}, c.mutator)),
        el("tr", {}, el("th", {}, "change"), el("td", {}, c.description)),
        el("tr", {}, el("th", {}, "feedback"), el("td", {id: "feedback"}, c.feedback)),
        el("tr", {}, el("th", {}, "lineage"), el("td", {}, d.lineage.map((p, i) =>
          [i ? " -> " : "", link(runLink + "/c/" + p, "#" + p)]))))),
    section("Metrics", el("table", {}, Object.entries(c.metrics).map(([k, v]) =>
      el("tr", {}, el("td", {}, k), el("td", {class: "num"}, fmt(v)))))),
    section("Stages", el("table", {},
      el("tr", {}, ["stage", "outcome", "exit", "wall s", "cpu s", "peak MiB", "detail"].map((h) => el("th", {}, h))),
      d.stages.map((s) => el("tr", {}, el("td", {}, s.stage), el("td", {class: s.outcome === "ok" ? "ok" : "bad"}, s.outcome),
        el("td", {class: "num"}, s.exit_code), el("td", {class: "num"}, fmt(s.wall_seconds)),
        el("td", {class: "num"}, fmt(s.cpu_seconds)), el("td", {class: "num"}, fmt(s.peak_rss_bytes / 1048576)),
        el("td", {}, s.detail)))),
      d.stages.filter((s) => s.output_tail).map((s) => [el("h3", {}, s.stage + " output (tail)"), el("pre", {}, s.output_tail)])),
    section("Diff against the parent", diffView(d.diff_parent || "(no parent)")),
    section("Diff against the seed", diffView(d.diff_seed || "(the seed)")),
    d.llm_call ? section("LLM call", el("p", {}, d.llm_call.model + ": " + d.llm_call.outcome + ", " +
      d.llm_call.input_tokens + "+" + d.llm_call.output_tokens + " tokens"),
      el("h3", {}, "prompt"), el("pre", {id: "prompt"}, d.llm_call.prompt),
      el("h3", {}, "reply"), el("pre", {id: "reply"}, d.llm_call.response)) : null);
}

async function route() {
  clearTimeout(timer);
  const parts = location.hash.replace(/^#\/?/, "").split("/");
  try {
    if (parts[0] === "run" && parts[2] === "c") await showCandidate(parts[1], parts[3]);
    else if (parts[0] === "run") await showRun(parts[1]);
    else if (DATA && DATA.runs.length === 1) { location.hash = "#/run/" + DATA.runs[0].key; return; }
    else await showRuns();
  } catch (error) {
    setMain(section("Error", el("p", {class: "bad"}, String(error.message || error))));
  }
}

window.addEventListener("hashchange", route);
route();
