// mlplab playground: the page. It only draws; every number comes from the server, which
// runs mlplab itself. Plain JavaScript, no build step, no other host.
"use strict";

const FIELDS = ["data", "points", "noise", "seed", "val", "activation", "output", "alpha",
  "lr", "solver", "batch", "initializer", "init_epsilon"];
const NUMERIC = new Set(["points", "noise", "seed", "val", "alpha", "lr", "batch", "init_epsilon"]);
const POS = [33, 102, 172], NEG = [214, 96, 77], MID = [247, 247, 247];

const page = { token: null, ws: null, config: null, state: null, rows: [], run: null,
  running: false, frame: null, hidden: [], preset: null, thetas: null, reopen: true };
const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- messages and requests
function showMessage(text, kind) {
  const box = $("message");
  if (!text) { box.hidden = true; box.textContent = ""; return; }
  box.textContent = text;
  box.className = kind === "info" ? "info" : "";
  box.hidden = false;
}

async function api(method, path, body, raw) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    if (raw) { options.body = body; options.headers["Content-Type"] = "text/csv"; }
    else { options.body = JSON.stringify(body); options.headers["Content-Type"] = "application/json"; }
  }
  let response;
  try { response = await fetch(path, options); }
  catch (error) { throw new Error("the playground server does not answer: is it still running?"); }
  const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `the server answered ${response.status}`);
  return data;
}

// ---------------------------------------------------------------- configuration and URL
function configFromUrl() {
  const params = new URLSearchParams(location.search);
  const config = {};
  for (const name of [...FIELDS, "hidden"]) if (params.has(name)) config[name] = params.get(name);
  return config;
}

function writeUrl(config) {
  const params = new URLSearchParams();
  for (const name of FIELDS) params.set(name, String(config[name]));
  params.set("hidden", config.hidden.join(","));
  history.replaceState(null, "", "?" + params.toString());
}

function readControls() {
  const config = {};
  for (const name of FIELDS) {
    const value = $(name).value;
    config[name] = NUMERIC.has(name) ? (value.trim() === "" ? value : Number(value)) : value;
  }
  config.hidden = page.hidden.slice();
  return config;
}

function writeControls(config) {
  for (const name of FIELDS) $(name).value = config[name];
  page.hidden = config.hidden.slice();
  page.config = config;
  writeUrl(config);
  $("noise").disabled = !["xor", "circles", "spirals"].includes(config.data);
  $("init_epsilon").disabled = config.initializer !== "uniform";
}

// ---------------------------------------------------------------- page life
async function openPage() {
  const requested = configFromUrl();
  let answer;
  try { answer = await api("POST", "/api/pages", { config: requested }); }
  catch (error) {
    showMessage(error.message + (Object.keys(requested).length ? " (the defaults are shown instead)" : ""));
    if (!Object.keys(requested).length) return;
    answer = await api("POST", "/api/pages", { config: {} });
  }
  page.token = answer.page;
  applyState(answer.state);
  const base = `/api/pages/${page.token}`;
  $("dl-model").href = base + "/model";
  $("dl-regions").href = base + "/regions.png";
  $("dl-curves").href = base + "/curves.png";
  connect();
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/api/pages/${page.token}/stream`);
  page.ws = ws;
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.closed) { page.reopen = false; showMessage(message.error || "page closed: reload"); return; }
    // drawn (or failed to draw): the server may send the next (newest) frame; without
    // the answer it would send none again
    try { onFrame(message.frame, message.rows); } finally { ws.send("ack"); }
  };
  ws.onclose = () => { if (page.reopen) showMessage("lost the connection to the server: reload the page"); };
  // A message now and then keeps the page from timing out while someone watches it.
  setInterval(() => { if (ws.readyState === 1 && page.running) ws.send("alive"); }, 60000);
}

function applyState(state) {
  page.state = state;
  writeControls(state.config);
  const data = state.data;
  $("data-info").textContent = `${data.name}: ${data.points.length} points ` +
    `(${data.n_train} training, ${data.points.length - data.n_train} validation), ` +
    `${data.classes.length} classes`;
  $("legend").innerHTML = "";
  data.classes.forEach((name, k) => {
    const item = document.createElement("span");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = data.colors[k];
    item.append(swatch, document.createTextNode(name));
    $("legend").append(item);
  });
  buildDiagram(state.layers);
}

async function sendConfig() {
  const config = readControls();
  const asked = (page.configRequests = (page.configRequests || 0) + 1);
  try {
    const answer = await api("POST", `/api/pages/${page.token}/config`, { config });
    if (asked !== page.configRequests) return;  // a newer configuration is on its way
    showMessage("");
    applyState(answer.state);
  } catch (error) { showMessage(error.message); }
}

async function command(action) {
  try { await api("POST", `/api/pages/${page.token}/run`, { action }); showMessage(""); }
  catch (error) { showMessage(error.message); }
}

// ---------------------------------------------------------------- frames
function onFrame(frame, rows) {
  if (frame.run !== page.run) { page.run = frame.run; page.rows = []; }
  page.rows.push(...rows);
  page.frame = frame;
  page.running = frame.running;
  page.frames = (page.frames || 0) + 1;
  $("epoch").dataset.frames = String(page.frames);  // frames drawn, for measurements
  $("train").textContent = frame.running ? "Pause" : "Train";
  $("train").setAttribute("aria-pressed", frame.running ? "true" : "false");
  $("epoch").textContent = `epoch ${frame.epoch}`;
  if (frame.error) showMessage(frame.error);
  drawRegions(frame.regions);
  drawUnits(frame.units);
  drawEdges(frame.thetas);
  drawCurves();
  showMetrics();
  showFindings(frame.findings);
}

function decode(b64) {
  const text = atob(b64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function hexColor(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function drawRegions(regions) {
  const canvas = $("regions"), ctx = canvas.getContext("2d");
  const data = page.state.data, n = regions.n;
  const cls = decode(regions.cls), conf = decode(regions.conf);
  const colors = data.colors.map(hexColor);
  const image = ctx.createImageData(n, n);
  const shown = new Set();
  for (let i = 0; i < n * n; i++) {
    const c = colors[cls[i]] || [128, 128, 128], a = 0.15 + 0.6 * (conf[i] / 255);
    shown.add(cls[i]);
    image.data[4 * i] = Math.round(255 + (c[0] - 255) * a);
    image.data[4 * i + 1] = Math.round(255 + (c[1] - 255) * a);
    image.data[4 * i + 2] = Math.round(255 + (c[2] - 255) * a);
    image.data[4 * i + 3] = 255;
  }
  const small = document.createElement("canvas");
  small.width = n; small.height = n;
  small.getContext("2d").putImageData(image, 0, 0);
  const W = canvas.width, H = canvas.height;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, 0, 0, W, H);
  ctx.drawImage(pointsLayer(W, H), 0, 0);
  canvas.dataset.classesShown = String(shown.size);
  canvas.dataset.signature = regions.cls.slice(0, 64) + regions.conf.length + regions.conf.slice(-64);
}

function pointsLayer(W, H) {
  // The points and axes change only with the data: drawn once, then copied every frame.
  const data = page.state.data;
  if (page.pointsLayer && page.pointsLayer.data === data) return page.pointsLayer.canvas;
  const layer = document.createElement("canvas");
  layer.width = W; layer.height = H;
  const ctx = layer.getContext("2d");
  const [[x0, x1], [y0, y1]] = data.bounds;
  data.points.forEach(([x, y], i) => {
    const px = ((x - x0) / (x1 - x0)) * W, py = ((y1 - y) / (y1 - y0)) * H;
    ctx.beginPath();
    ctx.arc(px, py, 3.5, 0, 2 * Math.PI);
    if (i < data.n_train) {
      ctx.fillStyle = data.colors[data.labels[i]];
      ctx.fill();
      ctx.strokeStyle = "#fff"; ctx.lineWidth = 1; ctx.stroke();
    } else {
      ctx.fillStyle = "#fff"; ctx.fill();
      ctx.strokeStyle = data.colors[data.labels[i]]; ctx.lineWidth = 2; ctx.stroke();
    }
  });
  ctx.fillStyle = "#333"; ctx.font = "12px system-ui, sans-serif";
  ctx.fillText(data.features[0] + " →", 6, H - 6);
  ctx.save(); ctx.translate(14, H - 40); ctx.rotate(-Math.PI / 2);
  ctx.fillText(data.features[1] + " →", 0, 0); ctx.restore();
  page.pointsLayer = { data, canvas: layer };
  return layer;
}

// ---------------------------------------------------------------- network diagram
function buildDiagram(layers) {
  const box = $("diagram");
  box.innerHTML = "";
  const width = Math.max(240, box.clientWidth || 300);
  const columns = layers.length;
  const unit = Math.max(22, Math.min(40, Math.floor(width / (columns * 1.9))));
  const gap = Math.max(6, Math.floor(unit / 4));
  const tallest = Math.max(...layers);
  const top = 30;
  const height = top + tallest * (unit + gap) + 22;
  box.style.height = height + "px";
  const xs = layers.map((_, l) => Math.round(unit / 2 + 4 + (l * (width - unit - 8)) / (columns - 1)));
  const positions = layers.map((count, l) => {
    const column = [];
    const offset = top + ((tallest - count) * (unit + gap)) / 2;
    for (let j = 0; j < count; j++) column.push([xs[l], offset + j * (unit + gap) + unit / 2]);
    return column;
  });
  page.diagram = { layers, positions, unit };
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("width", width); svg.setAttribute("height", height);
  svg.setAttribute("aria-hidden", "false");
  box.append(svg);
  page.edges = [];
  for (let l = 0; l + 1 < columns; l++) {
    const layerEdges = [];
    positions[l + 1].forEach(([x2, y2], i) => {
      const row = [];
      positions[l].forEach(([x1, y1], j) => {
        const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
        line.setAttribute("x1", x1 + unit / 2); line.setAttribute("y1", y1);
        line.setAttribute("x2", x2 - unit / 2); line.setAttribute("y2", y2);
        line.setAttribute("stroke", "#bbb"); line.setAttribute("stroke-width", "1");
        const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
        line.append(title);
        svg.append(line);
        row.push(line);
      });
      layerEdges.push(row);
    });
    page.edges.push(layerEdges);
  }
  page.units = [];
  layers.forEach((count, l) => {
    const column = [];
    positions[l].forEach(([x, y], j) => {
      let node;
      if (l === 0 || l === columns - 1) {
        node = document.createElement("div");
        node.className = "unit";
        node.style.background = "#fff";
        node.style.display = "grid"; node.style.placeItems = "center"; node.style.fontSize = "0.8rem";
        node.textContent = l === 0 ? `x${sub(j + 1)}` : `h${sub(j + 1)}`;
        node.title = l === 0 ? `input x${sub(j + 1)}: ${page.state.data.features[j]}` :
          `output unit ${j + 1} of h_θ(x)`;
      } else {
        node = document.createElement("canvas");
        node.className = "unit";
        node.width = 24; node.height = 24;
        node.setAttribute("role", "img");
        node.setAttribute("aria-label", `activation a${sub(j + 1)}${sup(l + 1)} over the input plane`);
        node.title = `a${sub(j + 1)}${sup(l + 1)}`;
        column.push(node);
      }
      node.style.left = x - unit / 2 + "px"; node.style.top = y - unit / 2 + "px";
      node.style.width = unit + "px"; node.style.height = unit + "px";
      box.append(node);
    });
    if (l > 0 && l < columns - 1) {
      page.units.push(column);
      const buttons = document.createElement("div");
      buttons.className = "unit-buttons";
      buttons.style.left = x0(xs[l], unit) + "px"; buttons.style.top = "2px";
      buttons.append(unitButton("+", l, +1), unitButton("−", l, -1));
      box.append(buttons);
    }
    const label = document.createElement("div");
    label.className = "node-label";
    label.style.left = xs[l] - 30 + "px"; label.style.width = "60px"; label.style.top = height - 18 + "px";
    label.textContent = l === 0 ? "input" : l === columns - 1 ? "output" : `layer ${l + 1}`;
    box.append(label);
  });
  if (page.frame) { drawUnits(page.frame.units); drawEdges(page.frame.thetas); }
}

function x0(x, unit) { return Math.max(0, x - unit / 2 - 6); }

function unitButton(text, l, change) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = text;
  button.setAttribute("aria-label", `${change > 0 ? "Add a unit to" : "Remove a unit from"} hidden layer ${l + 1}`);
  button.addEventListener("click", () => {
    const count = page.hidden[l - 1] + change;
    if (count < 1) { showMessage("a hidden layer needs at least one unit: remove the layer instead"); return; }
    page.hidden[l - 1] = count;
    sendConfig();
  });
  return button;
}

function sub(n) { return String(n).replace(/\d/g, (d) => "₀₁₂₃₄₅₆₇₈₉"[d]); }
function sup(n) { return "⁽" + String(n).replace(/\d/g, (d) => "⁰¹²³⁴⁵⁶⁷⁸⁹"[d]) + "⁾"; }

function diverging(t) {
  // 0 → orange (negative / low), 0.5 → near white, 1 → blue (positive / high)
  const [a, b, s] = t < 0.5 ? [NEG, MID, t / 0.5] : [MID, POS, (t - 0.5) / 0.5];
  return a.map((v, i) => Math.round(v + (b[i] - v) * s));
}

function drawUnits(units) {
  if (!page.units) return;
  units.forEach((layer, l) => layer.forEach((unit, j) => {
    const canvas = page.units[l] && page.units[l][j];
    if (!canvas) return;
    const bytes = decode(unit.img), n = Math.round(Math.sqrt(bytes.length));
    canvas.width = n; canvas.height = n;
    const ctx = canvas.getContext("2d"), image = ctx.createImageData(n, n);
    for (let i = 0; i < n * n; i++) {
      const [r, g, b] = diverging(bytes[i] / 255);
      image.data.set([r, g, b, 255], 4 * i);
    }
    ctx.putImageData(image, 0, 0);
    canvas.dataset.signature = unit.img;
    canvas.title = `a${sub(j + 1)}${sup(l + 2)} over the input plane, from ${fmt(unit.low)} (orange) to ${fmt(unit.high)} (blue)`;
  }));
}

function drawEdges(thetas) {
  if (!page.edges) return;
  let largest = 1e-12;
  thetas.forEach((theta) => theta.forEach((row) => row.slice(1).forEach((v) => { largest = Math.max(largest, Math.abs(v)); })));
  thetas.forEach((theta, l) => theta.forEach((row, i) => row.slice(1).forEach((value, j) => {
    const line = page.edges[l] && page.edges[l][i] && page.edges[l][i][j];
    if (!line) return;
    const share = Math.min(1, Math.abs(value) / largest);
    line.setAttribute("stroke", value >= 0 ? "rgb(33,102,172)" : "rgb(214,96,77)");
    line.setAttribute("stroke-width", (0.4 + 4.6 * share).toFixed(2));
    line.setAttribute("stroke-opacity", (0.25 + 0.75 * share).toFixed(2));
    const from = l === 0 ? `x${sub(j + 1)}` : `a${sub(j + 1)}${sup(l + 1)}`;
    const to = l === thetas.length - 1 ? `h${sub(i + 1)}` : `a${sub(i + 1)}${sup(l + 2)}`;
    line.firstChild.textContent = `θ${sup(l + 1)}${sub(i + 1)}${sub(j + 1)} = ${value} (${from} → ${to}; bias θ${sup(l + 1)}${sub(i + 1)}₀ = ${row[0]})`;
  })));
}

// ---------------------------------------------------------------- curves, metrics, doctor
function fmt(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toPrecision(4);
}

function drawCurve(canvas, trainIndex, valIndex, percent) {
  const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  const rows = page.rows, pad = { l: 44, r: 8, t: 16, b: 18 };
  ctx.font = "11px system-ui, sans-serif"; ctx.fillStyle = "#5b6573";
  ctx.fillText(percent ? "accuracy: training (solid), validation (dashed)" : "loss J: training (solid), validation (dashed)", pad.l, 11);
  if (!rows.length) { ctx.fillText("train to see the curves", pad.l, H / 2); return; }
  const values = rows.flatMap((r) => [r[trainIndex], r[valIndex]]).filter((v) => v !== null && Number.isFinite(v));
  if (!values.length) return;
  let low = percent ? Math.min(...values) : 0, high = Math.max(...values);
  if (percent) { low = Math.max(0, Math.floor(low * 10) / 10); high = 1; }
  if (high - low < 1e-9) high = low + 1;
  const n = rows.length, step = Math.max(1, Math.floor(n / (W - pad.l - pad.r)));
  const px = (k) => pad.l + ((k) / Math.max(1, n - 1)) * (W - pad.l - pad.r);
  const py = (v) => pad.t + (1 - (v - low) / (high - low)) * (H - pad.t - pad.b);
  ctx.strokeStyle = "#d5dae1"; ctx.lineWidth = 1;
  ctx.strokeRect(pad.l, pad.t, W - pad.l - pad.r, H - pad.t - pad.b);
  ctx.fillText(percent ? `${Math.round(high * 100)}%` : fmt(high), 2, pad.t + 8);
  ctx.fillText(percent ? `${Math.round(low * 100)}%` : fmt(low), 2, H - pad.b);
  ctx.fillText(`epoch ${rows[n - 1][0]}`, W - pad.r - 70, H - 4);
  if (percent) {  // the gap between training and validation accuracy
    ctx.fillStyle = "rgba(179,38,30,0.15)";
    ctx.beginPath();
    for (let k = 0; k < n; k += step) ctx.lineTo(px(k), py(rows[k][trainIndex]));
    for (let k = n - 1; k >= 0; k -= step) ctx.lineTo(px(k), py(rows[k][valIndex]));
    ctx.fill();
  }
  for (const [index, dash, color] of [[trainIndex, [], "#1f77b4"], [valIndex, [5, 3], "#ff7f0e"]]) {
    ctx.strokeStyle = color; ctx.lineWidth = 1.6; ctx.setLineDash(dash);
    ctx.beginPath();
    for (let k = 0; k < n; k += step) {
      const v = rows[k][index];
      if (v !== null && Number.isFinite(v)) ctx.lineTo(px(k), py(v));
    }
    ctx.stroke();
  }
  ctx.setLineDash([]);
}

function drawCurves() {
  drawCurve($("curve-loss"), 1, 2, false);
  drawCurve($("curve-acc"), 3, 4, true);
}

function showMetrics() {
  const box = $("metrics");
  const last = page.rows[page.rows.length - 1];
  if (!last) { box.textContent = "Not trained yet: press Train or One epoch."; delete box.dataset.valAccuracy; return; }
  const [, tl, vl, ta, va] = last;
  const pct = (v) => (v === null ? "–" : (100 * v).toFixed(1) + "%");
  box.textContent = `training loss ${fmt(tl)}, validation loss ${fmt(vl)}; ` +
    `training accuracy ${pct(ta)}, validation accuracy ${pct(va)}; gap ${ta === null || va === null ? "–" : (100 * (ta - va)).toFixed(1) + " points"}`;
  box.dataset.valAccuracy = String(va);
}

function showFindings(findings) {
  const list = $("findings");
  const text = JSON.stringify(findings);
  if (text === page.findingsShown) return;  // they change about once a second
  page.findingsShown = text;
  list.innerHTML = "";
  for (const finding of findings) {
    const item = document.createElement("li");
    const status = document.createElement("span");
    status.className = `status status-${finding.status}`;
    status.textContent = finding.status;
    item.append(status, document.createTextNode(`${finding.title}: ${finding.message}`));
    if (finding.advice) {
      const advice = document.createElement("span");
      advice.className = "advice";
      advice.textContent = "Try: " + finding.advice;
      item.append(advice);
    }
    item.dataset.check = finding.check;
    item.dataset.status = finding.status;
    list.append(item);
  }
}

// ---------------------------------------------------------------- gradient check, upload
async function gradientCheck() {
  const box = $("gradcheck-result");
  box.textContent = "checking…";
  try {
    const result = await api("POST", `/api/pages/${page.token}/gradcheck`);
    const table = document.createElement("table");
    table.innerHTML = "<thead><tr><th>θ</th><th>relative error</th><th>verdict</th></tr></thead>";
    const body = document.createElement("tbody");
    for (const row of [...result.layers.map((r) => [`θ${sup(r.layer)}`, r.error, r.verdict]), ["all", result.error, result.verdict]]) {
      const tr = document.createElement("tr");
      for (const cell of [row[0], row[1].toExponential(3), row[2]]) {
        const td = document.createElement("td"); td.textContent = cell; tr.append(td);
      }
      body.append(tr);
    }
    table.append(body);
    const note = document.createElement("p");
    note.className = "note";
    note.textContent = `‖g − ĝ‖ / (‖g‖ + ‖ĝ‖) at the current θ, on ${result.examples} training examples.`;
    box.replaceChildren(table, note);
    box.dataset.verdict = result.verdict;
  } catch (error) { box.textContent = ""; showMessage(error.message); }
}

async function uploadCsv(file) {
  if (!file) return;
  try {
    const content = await file.arrayBuffer();
    const answer = await api("PUT", `/api/pages/${page.token}/csv?name=${encodeURIComponent(file.name)}`, content, true);
    applyState(answer.state);
    showMessage(`uploaded ${file.name}: ${answer.state.data.points.length} rows`, "info");
  } catch (error) { showMessage(error.message); }
  $("csv").value = "";
}

// ---------------------------------------------------------------- hand-set mode
async function loadPreset(name) {
  page.preset = name;
  page.thetas = JSON.parse(JSON.stringify(page.presets[name]));
  buildWeights();
  await updateTable();
}

function buildWeights() {
  const box = $("handset-weights");
  box.innerHTML = "";
  page.thetas.forEach((theta, l) => {
    const grid = document.createElement("div");
    grid.className = "theta-grid";
    const heading = document.createElement("div");
    heading.className = "row-label";
    heading.textContent = `θ${sup(l + 1)}`;
    grid.append(heading);
    const inputs = theta[0].length - 1;
    for (let j = 0; j <= inputs; j++) {
      const head = document.createElement("div"); head.className = "row-label";
      head.textContent = j === 0 ? "bias θ₀" : l === 0 ? `x${sub(j)}` : `a${sub(j)}${sup(2)}`;
      grid.append(head);
    }
    theta.forEach((row, i) => {
      const name = page.thetas.length === 1 || l === 1 ? "h_θ(x)" : `a${sub(i + 1)}${sup(2)}`;
      const label = document.createElement("div"); label.className = "row-label"; label.textContent = name;
      grid.append(label);
      row.forEach((value, j) => {
        const input = document.createElement("input");
        input.type = "number"; input.step = "1"; input.value = value;
        input.setAttribute("aria-label", `θ${sup(l + 1)}${sub(i + 1)}${sub(j)} of ${name}`);
        input.addEventListener("change", () => {
          page.thetas[l][i][j] = input.value.trim() === "" ? input.value : Number(input.value);
          updateTable();
        });
        grid.append(input);
      });
      for (let pad = row.length; pad < 3; pad++) grid.append(document.createElement("div"));
    });
    box.append(grid);
  });
}

async function updateTable() {
  const asked = (page.tableRequests = (page.tableRequests || 0) + 1);
  try {
    const answer = await api("POST", "/api/handset", { thetas: page.thetas, preset: page.preset });
    if (asked !== page.tableRequests) return;  // a newer table is on its way
    $("truth-table").textContent = answer.text;
    showMessage("");
  } catch (error) { showMessage(error.message); }
}

function selectTab(name) {
  const train = name === "train";
  $("train-view").hidden = !train;
  $("handset-view").hidden = train;
  $("tab-train").setAttribute("aria-selected", String(train));
  $("tab-handset").setAttribute("aria-selected", String(!train));
  $("tab-train").tabIndex = train ? 0 : -1;
  $("tab-handset").tabIndex = train ? -1 : 0;
  if (train && page.state) buildDiagram(page.state.layers);
}

// ---------------------------------------------------------------- wiring
function wire() {
  for (const name of FIELDS) $(name).addEventListener("change", sendConfig);
  $("add-layer").addEventListener("click", () => { page.hidden.push(page.hidden[page.hidden.length - 1] || 2); sendConfig(); });
  $("remove-layer").addEventListener("click", () => { page.hidden.pop(); sendConfig(); });
  $("train").addEventListener("click", () => command(page.running ? "pause" : "train"));
  $("step").addEventListener("click", () => command("step"));
  $("reset").addEventListener("click", () => command("reset"));
  $("gradcheck").addEventListener("click", gradientCheck);
  $("csv").addEventListener("change", (event) => uploadCsv(event.target.files[0]));
  $("copy-link").addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(location.href); showMessage("link copied", "info"); }
    catch (error) { showMessage("copy this page's address to share it: " + location.href, "info"); }
  });
  for (const link of ["dl-model", "dl-regions", "dl-curves"]) {
    $(link).addEventListener("click", async (event) => {
      // fetch first, so that a refusal (nothing trained yet) is shown, not downloaded
      event.preventDefault();
      try {
        const response = await fetch($(link).href);
        if (!response.ok) throw new Error((await response.json()).error);
        const url = URL.createObjectURL(await response.blob());
        const a = document.createElement("a");
        a.href = url;
        a.download = (response.headers.get("Content-Disposition") || "").split('"')[1] || "download";
        document.body.append(a); a.click(); a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
      } catch (error) { showMessage(error.message); }
    });
  }
  $("tab-train").addEventListener("click", () => selectTab("train"));
  $("tab-handset").addEventListener("click", () => selectTab("handset"));
  for (const tab of [$("tab-train"), $("tab-handset")]) {
    tab.addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        const next = tab.id === "tab-train" ? $("tab-handset") : $("tab-train");
        next.focus(); next.click();
      }
    });
  }
  document.querySelectorAll("[data-preset]").forEach((button) =>
    button.addEventListener("click", () => loadPreset(button.dataset.preset)));
  let resize;
  window.addEventListener("resize", () => {
    clearTimeout(resize);
    resize = setTimeout(() => page.state && buildDiagram(page.state.layers), 150);
  });
  window.addEventListener("pagehide", () => { page.reopen = false; });
}

async function start() {
  wire();
  try {
    page.presets = await api("GET", "/api/presets");
    await openPage();
    await loadPreset("NOR");
  } catch (error) { showMessage(error.message); }
}

document.addEventListener("DOMContentLoaded", start);
