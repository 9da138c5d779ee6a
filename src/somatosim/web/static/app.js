// somatosim dashboard: forms for a baseline and a what-if scenario, a call to /api/compare,
// and the figures. Field ranges and defaults come from the server's scenario schema, so the
// page always shows what the simulator accepts. No science here: every number is the API's.
"use strict";

(() => {
  const COLORS = { baseline: "#2563eb", whatif: "#ea580c" };
  const LABELS = { baseline: "Baseline", whatif: "What-if" };
  const WHICH = ["baseline", "whatif"];
  const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  const TOKEN_KEY = "somatosim-token";

  const state = {
    schema: null,
    presets: [],
    info: null,
    base: { baseline: {}, whatif: {} },
    token: sessionStorage.getItem(TOKEN_KEY) || "",
    last: null,
    lastRequest: null,
  };

  // --- small DOM helpers ---------------------------------------------------------------------
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const fmt = (v, digits = 2) =>
    v === null || v === undefined || Number.isNaN(v)
      ? "–"
      : Number(v).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }).replace("-", "−");
  const signed = (v, digits = 2) => (v === null || v === undefined ? "–" : (v > 0 ? "+" : v < 0 ? "−" : "±") + fmt(Math.abs(v), digits));
  const clock = (h) => {
    const m = Math.round((((h % 24) + 24) % 24) * 60);
    return `${String(Math.floor(m / 60) % 24).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  };

  // --- the API -------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, payload) {
      super(payload.message || `HTTP ${status}`);
      this.status = status;
      this.payload = payload;
    }
  }

  async function api(method, path, body, as = "json") {
    const headers = { Accept: as === "json" ? "application/json" : "*/*" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    let resp;
    try {
      resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new ApiError(0, { error: "network", message: `cannot reach the server (${err.message})`, errors: [] });
    }
    if (!resp.ok) {
      let payload;
      try {
        payload = await resp.json();
      } catch {
        payload = { error: "http", message: `${resp.status} ${resp.statusText}`, errors: [] };
      }
      if (resp.status === 401) $("#token-bar").hidden = false;
      throw new ApiError(resp.status, payload);
    }
    return as === "json" ? resp.json() : resp.blob();
  }

  // --- field metadata from the scenario schema ----------------------------------------------
  function meta(defName, field) {
    const def = defName ? state.schema.$defs[defName] : state.schema;
    const prop = (def && def.properties && def.properties[field]) || {};
    let s = prop;
    let nullable = false;
    if (prop.anyOf) {
      nullable = prop.anyOf.some((x) => x.type === "null");
      s = prop.anyOf.find((x) => x.type && x.type !== "null") || prop;
    }
    return {
      min: s.minimum ?? s.exclusiveMinimum,
      max: s.maximum ?? s.exclusiveMaximum,
      type: s.type,
      options: s.enum,
      def: prop.default,
      description: prop.description || "",
      nullable,
    };
  }

  const rangeText = (m, unit) => {
    const parts = [];
    if (m.min !== undefined && m.max !== undefined) parts.push(`${m.min}–${m.max}${unit ? " " + unit : ""}`);
    else if (unit) parts.push(unit);
    if (m.nullable) parts.push("blank = default");
    return parts.join(" · ");
  };

  // Sections of the person-and-plan form: [field, label, unit shown with the range].
  const SECTIONS = [
    {
      title: "Person", block: "subject", def: "Subject",
      fields: [
        ["age_years", "Age", "years"], ["sex", "Sex"], ["weight_kg", "Weight", "kg"],
        ["height_cm", "Height", "cm"], ["body_fat_percent", "Body fat", "%"],
        ["gh_reserve", "Pituitary GH reserve", "1 = healthy"], ["estrogen", "Estrogen therapy"],
      ],
    },
    {
      title: "Sleep", block: "sleep", def: "Sleep",
      fields: [["bedtime", "Bedtime", "HH:MM"], ["hours", "Sleep", "h/night"]],
    },
    {
      title: "Diet", block: "diet", def: "Diet",
      fields: [
        ["energy_kcal_per_day", "Energy", "kcal/day"],
        ["energy_percent_of_need", "or energy", "% of need"],
        ["protein_g_per_kg", "Protein", "g/kg/day"],
        ["eaa_fraction", "Essential amino acids", "share"],
        ["meals", "Meal times", "HH:MM, …"],
      ],
    },
    {
      title: "Micronutrients (serum)", block: "micronutrients", def: "Micronutrients",
      fields: [
        ["magnesium_mmol_l", "Magnesium", "mmol/L"], ["zinc_ug_dl", "Zinc", "µg/dL"],
        ["vitamin_d_ng_ml", "Vitamin D 25(OH)", "ng/mL"],
      ],
    },
  ];

  const EXERCISE_MAIN = [["time", "Start", "HH:MM"], ["minutes", "Minutes", "min"], ["intensity", "Intensity"]];
  const EXERCISE_MORE = [
    ["lt_multiple", "× lactate threshold", ""], ["vo2max_percent", "VO2max", "%"],
    ["load_percent_1rm", "Load", "% 1RM"], ["sets", "Sets", ""], ["reps", "Reps", ""],
    ["rest_seconds", "Rest", "s"],
  ];
  const THERAPY_FIELDS = [
    ["drug", "Drug"], ["dose_mg", "Dose", "mg"], ["every_days", "Every", "days"],
    ["time", "Time", "HH:MM"], ["start_day", "First day", "day"], ["end_day", "Until day", "day"],
  ];

  // One labelled input; `path` is the dotted path of the scenario field (for error highlighting).
  function fieldInput(which, defName, field, label, unit, path) {
    const m = meta(defName, field);
    const id = `${which}-${path.replace(/[.[\]]/g, "-")}`;
    let input;
    if (m.options) {
      input = el("select", { id });
      if (m.nullable) input.append(el("option", { value: "", text: "default" }));
      for (const o of m.options) input.append(el("option", { value: o, text: o }));
    } else if (unit === "HH:MM" && field !== "meals") {
      input = el("input", { id, type: "text", inputmode: "numeric", maxlength: 5, placeholder: "HH:MM", pattern: "[0-2]?[0-9]:[0-5][0-9]" });
    } else if (field === "meals") {
      input = el("input", { id, type: "text", placeholder: "07:30, 12:30, 19:00" });
    } else {
      const step = m.type === "integer" ? 1 : "any";
      input = el("input", { id, type: "number", min: m.min, max: m.max, step, placeholder: m.nullable ? "auto" : "" });
    }
    input.dataset.path = path;
    input.dataset.field = field;
    input.dataset.nullable = m.nullable ? "1" : "";
    input.dataset.kind = m.options ? "choice" : field === "meals" ? "list" : unit === "HH:MM" ? "clock" : "number";
    input.title = m.description;
    const hint = field === "meals" ? "0–8 meals, comma-separated" : unit === "HH:MM" ? "24-hour clock"
      : unit === "1 = healthy" ? `${m.min}–${m.max} · 1 = healthy, 0 = none` : rangeText(m, unit);
    return el("div", { class: "field" },
      el("label", { for: id }, label, unit && !["HH:MM", "1 = healthy"].includes(unit) && !m.options ? el("span", { class: "unit", text: ` (${unit})` }) : null),
      input,
      el("span", { class: "hint", text: hint }));
  }

  function setInput(input, value) {
    const kind = input.dataset.kind;
    if (value === null || value === undefined) input.value = "";
    else if (kind === "list") input.value = (value || []).join(", ");
    else input.value = String(value);
  }

  function readInput(input) {
    const raw = input.value.trim();
    const kind = input.dataset.kind;
    if (kind === "list") return raw ? raw.split(/[\s,;]+/).filter(Boolean) : [];
    if (raw === "") return input.dataset.nullable ? null : undefined;
    if (kind === "number") {
      const n = Number(raw);
      return Number.isFinite(n) ? n : raw; // the server names the field if it is not a number
    }
    return raw;
  }

  // --- building a scenario column -------------------------------------------------------------
  function buildForm(which) {
    const form = $(`#form-${which}`);
    form.replaceChildren();
    const presetSelect = el("select", { id: `${which}-preset`, "aria-label": `${LABELS[which]}: start from a preset` },
      el("option", { value: "", text: "Start from a preset…" }),
      state.presets.map((p) => el("option", { value: p.name, text: `${p.name} — ${p.summary}` })));
    presetSelect.addEventListener("change", () => presetSelect.value && loadPreset(which, presetSelect.value));
    const head = el("div", { class: "col-head" },
      el("h2", {}, el("span", { class: `dot ${which}` }), LABELS[which]),
      presetSelect,
      which === "whatif"
        ? el("button", { type: "button", class: "btn small", id: "copy-baseline", onclick: copyBaseline, text: "Copy baseline" })
        : null);
    form.append(head);
    form.append(el("p", { class: "preset-note", id: `${which}-note` }));
    form.append(el("div", { class: "field name-field" },
      el("label", { for: `${which}-name` }, "Name"),
      el("input", { id: `${which}-name`, type: "text", maxlength: 120, dataset: { path: "name" } })));

    for (const sec of SECTIONS) {
      const fs = el("fieldset", { class: `sec sec-${sec.block}` }, el("legend", { text: sec.title }));
      const grid = el("div", { class: "grid" });
      for (const [field, label, unit] of sec.fields) {
        grid.append(fieldInput(which, sec.def, field, label, unit, `${sec.block}.${field}`));
      }
      fs.append(grid);
      if (sec.block === "diet") fs.append(el("p", { class: "hint", text: "Give energy in kcal/day or as % of need (not both); blank = 100 % of need. Fasting: 0 kcal and 0 g/kg protein." }));
      form.append(fs);
    }

    const ex = el("fieldset", { class: "sec sec-exercise" }, el("legend", { text: "Exercise plan" }),
      el("div", { class: "rows", id: `${which}-exercise` }),
      el("button", { type: "button", class: "btn small", text: "+ Add session", onclick: () => addExercise(which, { type: "resistance", days: ["mon", "wed", "fri"], time: "17:00", minutes: 60, intensity: "moderate" }) }));
    const th = el("fieldset", { class: "sec sec-therapy" }, el("legend", { text: "GH therapy (subcutaneous)" }),
      el("div", { class: "rows", id: `${which}-therapy` }),
      el("button", { type: "button", class: "btn small", text: "+ Add GH therapy", onclick: () => addTherapy(which, { drug: "somatropin", dose_mg: 0.3, time: "21:00", start_day: 0 }) }));
    form.append(ex, th, el("div", { class: "extras", id: `${which}-extras` }));
  }

  function renumber(which, kind) {
    $$(`#${which}-${kind} .row-item`).forEach((row, i) => {
      $$("[data-sub]", row).forEach((inp) => { inp.dataset.path = `${kind}[${i}].${inp.dataset.sub}`; });
      $$("[data-dayspath]", row).forEach((d) => { d.dataset.path = `${kind}[${i}].days`; });
    });
  }

  function subInput(which, defName, field, label, unit, kind) {
    const f = fieldInput(which, defName, field, label, unit, `${kind}[x].${field}`);
    const inp = $("input, select", f);
    inp.removeAttribute("id");
    $("label", f).removeAttribute("for");
    // make the label wrap the input (no ids needed for repeated rows)
    const lab = $("label", f);
    lab.append(inp);
    inp.dataset.sub = field;
    return f;
  }

  function addExercise(which, session) {
    const rows = $(`#${which}-exercise`);
    const row = el("div", { class: "row-item" });
    row._extra = { ...session };
    const type = subInput(which, "ExerciseSession", "type", "Type", "", "exercise");
    const days = el("div", { class: "field days", dataset: { dayspath: "1" } },
      el("span", { class: "lab", text: "Days" }),
      el("div", { class: "daypick" },
        el("label", { class: "chip" }, el("input", { type: "checkbox", value: "daily" }), "daily"),
        WEEKDAYS.map((d) => el("label", { class: "chip" }, el("input", { type: "checkbox", value: d }), d))));
    const main = EXERCISE_MAIN.map(([f, l, u]) => subInput(which, "ExerciseSession", f, l, u, "exercise"));
    const more = el("details", { class: "more" }, el("summary", { text: "intensity details" }),
      el("div", { class: "grid" }, EXERCISE_MORE.map(([f, l, u]) => subInput(which, "ExerciseSession", f, l, u, "exercise"))));
    const remove = el("button", { type: "button", class: "btn small ghost", title: "remove this session", text: "Remove",
      onclick: () => { row.remove(); renumber(which, "exercise"); } });
    row.append(el("div", { class: "grid row-grid" }, type, ...main), days, more, remove);
    rows.append(row);
    for (const inp of $$("[data-sub]", row)) setInput(inp, session[inp.dataset.sub]);
    const chosen = session.days === "daily" || session.days === undefined ? ["daily"] : session.days.map(String);
    for (const cb of $$(".daypick input", row)) cb.checked = chosen.includes(cb.value);
    const unknownDays = chosen.filter((d) => d !== "daily" && !WEEKDAYS.includes(d));
    if (unknownDays.length) row._extra.dayNumbers = unknownDays.map(Number);
    renumber(which, "exercise");
  }

  function readExercise(row) {
    const s = { ...row._extra };
    delete s.dayNumbers;
    for (const inp of $$("[data-sub]", row)) {
      const v = readInput(inp);
      if (v === undefined || v === null) delete s[inp.dataset.sub];
      else s[inp.dataset.sub] = v;
    }
    const picked = $$(".daypick input:checked", row).map((cb) => cb.value);
    if (picked.includes("daily") || (!picked.length && !row._extra.dayNumbers)) s.days = "daily";
    else s.days = [...picked, ...(row._extra.dayNumbers || [])];
    return s;
  }

  function addTherapy(which, therapy) {
    const rows = $(`#${which}-therapy`);
    const row = el("div", { class: "row-item" });
    row._extra = { ...therapy };
    const grid = el("div", { class: "grid row-grid" },
      THERAPY_FIELDS.map(([f, l, u]) => subInput(which, "Therapy", f, l, u, "therapy")));
    const remove = el("button", { type: "button", class: "btn small ghost", text: "Remove",
      onclick: () => { row.remove(); renumber(which, "therapy"); } });
    row.append(grid, remove);
    rows.append(row);
    for (const inp of $$("[data-sub]", row)) setInput(inp, therapy[inp.dataset.sub]);
    renumber(which, "therapy");
  }

  function readTherapy(row) {
    const t = { ...row._extra };
    for (const inp of $$("[data-sub]", row)) {
      const v = readInput(inp);
      if (v === undefined || v === null) delete t[inp.dataset.sub];
      else t[inp.dataset.sub] = v;
    }
    return t;
  }

  // What the form does not edit (phases, per-night sleep changes) is kept and listed.
  function showExtras(which) {
    const box = $(`#${which}-extras`);
    box.replaceChildren();
    const sc = state.base[which];
    const phases = sc.phases || [];
    const nights = (sc.sleep && sc.sleep.nights) || [];
    if (!phases.length && !nights.length) return;
    const items = phases.map((p) => {
      const what = ["sleep", "diet", "micronutrients", "exercise", "therapy"].filter((k) => p[k] !== null && p[k] !== undefined);
      return el("li", {}, `days ${p.start_day}–${p.end_day - 1}${p.label ? ` “${p.label}”` : ""}: changes ${what.join(", ") || "nothing"}`);
    });
    if (nights.length) items.push(el("li", { text: `${nights.length} night(s) with a changed sleep schedule` }));
    box.append(el("div", { class: "phase-box" },
      el("strong", { text: "Phases kept from the preset" }), el("ul", {}, items),
      el("button", { type: "button", class: "btn small ghost", text: "Remove phases",
        onclick: () => {
          delete state.base[which].phases;
          if (state.base[which].sleep) delete state.base[which].sleep.nights;
          showExtras(which);
        } })));
  }

  function fillForm(which, sc) {
    state.base[which] = structuredClone(sc);
    const form = $(`#form-${which}`);
    $(`#${which}-name`).value = sc.name || LABELS[which].toLowerCase();
    for (const sec of SECTIONS) {
      const block = sc[sec.block] || {};
      for (const [field] of sec.fields) {
        const inp = $(`[data-path="${sec.block}.${field}"]`, form);
        const value = field in block ? block[field] : meta(sec.def, field).def;
        setInput(inp, value);
      }
    }
    $(`#${which}-exercise`).replaceChildren();
    for (const s of sc.exercise || []) addExercise(which, s);
    $(`#${which}-therapy`).replaceChildren();
    for (const t of sc.therapy || []) addTherapy(which, t);
    showExtras(which);
  }

  function readScenario(which) {
    const form = $(`#form-${which}`);
    const sc = structuredClone(state.base[which] || {});
    sc.name = $(`#${which}-name`).value.trim() || LABELS[which].toLowerCase();
    for (const sec of SECTIONS) {
      const block = { ...(sc[sec.block] || {}) };
      for (const [field] of sec.fields) {
        const v = readInput($(`[data-path="${sec.block}.${field}"]`, form));
        if (v === undefined) delete block[field];
        else block[field] = v;
      }
      sc[sec.block] = block;
    }
    sc.exercise = $$(`#${which}-exercise .row-item`).map(readExercise);
    sc.therapy = $$(`#${which}-therapy .row-item`).map(readTherapy);
    for (const key of ["days", "seed"]) {
      const raw = $(`#${key}`).value.trim();
      if (raw !== "") sc[key] = Number.isFinite(Number(raw)) ? Number(raw) : raw;
    }
    return sc;
  }

  async function loadPreset(which, name) {
    try {
      const p = await api("GET", `/api/presets/${encodeURIComponent(name)}`);
      fillForm(which, p.scenario);
      $("#days").value = p.scenario.days;
      $("#seed").value = p.scenario.seed;
      $(`#${which}-note`).textContent = p.summary;
    } catch (err) {
      showErrors(err);
    }
  }

  function copyBaseline() {
    const sc = readScenario("baseline");
    sc.name = `${sc.name} (what-if)`;
    fillForm("whatif", sc);
    $("#whatif-note").textContent = "Copied from the baseline: now change something.";
    $("#whatif-preset").value = "";
  }

  // --- errors and status ---------------------------------------------------------------------
  function clearErrors() {
    $("#messages").hidden = true;
    $("#messages").replaceChildren();
    $$(".invalid").forEach((n) => n.classList.remove("invalid"));
  }

  function showErrors(err) {
    const payload = err.payload || { message: String(err.message || err), errors: [] };
    const box = $("#messages");
    const list = payload.errors && payload.errors.length ? payload.errors.map((e) => e.message) : [payload.message];
    box.replaceChildren(
      el("strong", { text: err.status === 422 ? "Please check these fields:" : "Something went wrong:" }),
      el("ul", {}, list.map((m) => el("li", { text: m }))));
    box.hidden = false;
    box.scrollIntoView({ behavior: "smooth", block: "center" });
    for (const e of payload.errors || []) {
      const m = /^(baseline|whatif)\.(.+)$/.exec(e.field || "");
      if (!m) {
        if (/\.?days$/.test(e.field || "")) $("#days").classList.add("invalid");
        if (e.field === "change_day") $("#change-day").classList.add("invalid");
        continue;
      }
      const [, which, path] = m;
      if (path === "days") $("#days").classList.add("invalid");
      if (path === "seed") $("#seed").classList.add("invalid");
      const form = $(`#form-${which}`);
      let target = $(`[data-path="${CSS.escape(path)}"]`, form);
      for (let p = path; !target && p.includes("."); p = p.slice(0, p.lastIndexOf("."))) {
        target = $(`[data-path="${CSS.escape(p)}"]`, form);
      }
      if (target) target.classList.add("invalid");
    }
  }

  function setBusy(busy, text = "") {
    for (const id of ["#run", "#run2"]) $(id).disabled = busy;
    for (const id of ["#status", "#status2"]) {
      $(id).textContent = text;
      $(id).classList.toggle("busy", busy);
    }
  }

  // --- running the comparison ----------------------------------------------------------------
  function dayWindow(days) {
    // 24 hours from noon to noon around the last night: the night's GH pulses in one piece.
    if (days >= 2) return [24 * (days - 2) + 12, 24 * (days - 2) + 36];
    return [0, 24];
  }

  // A what-if that starts later: the baseline with the what-if's plan as a phase from that day.
  function startingLater(baseline, whatif, day) {
    const fail = (message, field) => {
      throw new ApiError(422, { error: "invalid_request", message, errors: [{ field, message }] });
    };
    const days = Number(baseline.days);
    if (!Number.isInteger(day) || day < 0 || day >= days) {
      fail(`What-if starts on day ${day}: use a whole day from 0 to ${days - 1} (the run has ${days} days)`, "change_day");
    }
    if (JSON.stringify(baseline.subject) !== JSON.stringify(whatif.subject)) {
      fail("The person (age, sex, weight, height, body fat, GH reserve, estrogen) cannot change during a run: " +
        "set 'What-if starts on day' to 0 to compare two different people", "whatif.subject");
    }
    if ((whatif.phases || []).length) {
      fail("The what-if has phases of its own: remove them, or set 'What-if starts on day' to 0", "whatif.phases");
    }
    const composed = structuredClone(baseline);
    composed.name = whatif.name;
    composed.phases = [...(baseline.phases || []), {
      start_day: day, end_day: days, label: `what-if from day ${day}`,
      sleep: { ...whatif.sleep }, diet: { ...whatif.diet }, micronutrients: { ...whatif.micronutrients },
      exercise: whatif.exercise, therapy: whatif.therapy,
    }];
    return composed;
  }

  async function runComparison() {
    clearErrors();
    const baseline = readScenario("baseline");
    let whatif = readScenario("whatif");
    const changeDay = Number($("#change-day").value || 0);
    if (changeDay !== 0) {
      try {
        whatif = startingLater(baseline, whatif, changeDay);
      } catch (err) {
        showErrors(err);
        return;
      }
    }
    const days = Math.max(1, Math.min(Number(baseline.days) || 1, Number(whatif.days) || 1));
    const [start, end] = dayWindow(Math.floor(days));
    const seed = $("#seed").value.trim() === "" ? null : Number($("#seed").value);
    const body = {
      baseline, whatif,
      seed,
      timeseries: { resolution_min: 5, start_hour: start, end_hour: end, variables: ["gh", "sleep_stage"] },
    };
    setBusy(true, "Simulating…");
    const t0 = performance.now();
    try {
      const res = await api("POST", "/api/compare", body);
      state.last = res;
      state.lastRequest = body;
      render(res);
      setBusy(false, `Done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      $("#results").scrollIntoView({ behavior: "smooth", block: "start" });
    } catch (err) {
      setBusy(false, "");
      showErrors(err);
    }
  }

  // --- results -------------------------------------------------------------------------------
  const ROWS = [
    ["igf1_final_ng_ml", "IGF-1, mean of the last day", "ng/mL", 0, 1],
    ["igf1_final_sds", "IGF-1 SDS for age and sex, last day", "SDS", 2, 1],
    ["igf1_change_percent", "IGF-1 change over the run", "%", 1, 1],
    ["igf1_free_final_ng_ml", "Free IGF-1, last day", "ng/mL", 2, 1],
    ["gh_secretion_mg_per_day", "GH secretion (mean of the last 7 days)", "mg/day", 2, 1],
    ["gh_pulses_per_day", "GH secretory bursts", "per day", 1, 1],
    ["gh_sleep_fraction", "Share of GH secreted during sleep", "%", 0, 100],
    ["gh_mean_ng_ml", "Mean GH", "ng/mL", 2, 1],
  ];

  function render(res) {
    $("#results-empty").hidden = true;
    $("#results-body").hidden = false;
    renderWarnings(res);
    renderCards(res);
    renderTable(res);
    const ref = res.baseline.reference;
    $("#ref-note").textContent = `SDS and bands: ${ref.name}.`;
    if (typeof Plotly === "undefined") {
      $("#fig-gh").textContent = "The plotting library did not load.";
      return;
    }
    plotGh(res);
    plotIgf1(res);
    plotSds(res);
    plotSecretion(res);
  }

  function renderWarnings(res) {
    const box = $("#warnings");
    box.replaceChildren();
    const items = [];
    for (const w of WHICH) {
      for (const text of res[w].warnings) {
        const m = /^([a-z0-9_]+): ([\s\S]*?)(\s*\[source: ([\s\S]*)\])?$/.exec(text);
        const body = m ? [el("code", { class: "wcode", text: m[1] }), " ", m[2]] : [text];
        const source = m && m[4] ? el("span", { class: "wsource", text: ` Source: ${m[4]}` }) : null;
        items.push(el("li", {}, el("strong", { class: w, text: `${LABELS[w]}: ` }), ...body, source));
      }
    }
    if (items.length) {
      box.className = "warnings alert";
      box.append(el("h3", { text: `⚠ ${items.length} warning${items.length > 1 ? "s" : ""}` }), el("ul", {}, items));
    } else {
      box.className = "warnings ok";
      box.append(el("p", { text: "No safety or plausibility warnings for either scenario." }));
    }
  }

  function renderCards(res) {
    const cards = [
      ["IGF-1", "igf1_final_ng_ml", "ng/mL", 0],
      ["IGF-1 SDS", "igf1_final_sds", "", 2],
      ["GH secretion", "gh_secretion_mg_per_day", "mg/day", 2],
      ["GH in sleep", "gh_sleep_fraction", "%", 0],
    ];
    $("#cards").replaceChildren(...cards.map(([title, key, unit, d]) => {
      const k = key === "gh_sleep_fraction" ? 100 : 1;
      const a = res.baseline.summary[key];
      const b = res.whatif.summary[key];
      const diff = a === null || b === null ? null : (b - a) * k;
      return el("div", { class: "card" },
        el("div", { class: "card-title", text: title }),
        el("div", { class: "card-values" },
          el("span", { class: "v baseline", text: fmt(a * k, d) }), el("span", { class: "arrow", text: "→" }),
          el("span", { class: "v whatif", text: fmt(b * k, d) }), el("span", { class: "u", text: unit })),
        el("div", { class: "card-diff", text: `${signed(diff, d)} ${unit === "%" ? "percentage points" : unit}`.trim() }));
    }));
  }

  function renderTable(res) {
    const t = $("#summary-table");
    const head = el("thead", {}, el("tr", {},
      el("th", { text: "Measure" }), el("th", { class: "num baseline", text: "Baseline" }),
      el("th", { class: "num whatif", text: "What-if" }), el("th", { class: "num", text: "Change" })));
    const body = el("tbody");
    for (const [key, label, unit, d, k] of ROWS) {
      const a = res.baseline.summary[key];
      const b = res.whatif.summary[key];
      if (a === undefined && b === undefined) continue;
      const scale = (v) => (v === null || v === undefined ? null : v * k);
      const diff = scale(a) === null || scale(b) === null ? null : scale(b) - scale(a);
      body.append(el("tr", { dataset: { key } },
        el("td", {}, label, el("span", { class: "unit", text: ` ${unit}` })),
        el("td", { class: "num", text: fmt(scale(a), d) }),
        el("td", { class: "num", text: fmt(scale(b), d) }),
        el("td", { class: "num diff", text: signed(diff, d) })));
    }
    const ra = res.baseline.reference;
    const rb = res.whatif.reference;
    const band = (r) => `${fmt(r.p2_5, 0)}–${fmt(r.p97_5, 0)}`;
    body.append(el("tr", { class: "ref" },
      el("td", {}, "IGF-1 reference range for age and sex (P2.5–P97.5)", el("span", { class: "unit", text: " ng/mL" })),
      el("td", { class: "num", text: band(ra) }), el("td", { class: "num", text: band(rb) }), el("td")));
    t.replaceChildren(head, body);
  }

  // --- figures -------------------------------------------------------------------------------
  const PLOT_CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  const baseLayout = (title) => ({
    title: { text: title, x: 0, xanchor: "left", font: { size: 15 } },
    margin: { l: 60, r: 20, t: 48, b: 48 },
    font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12, color: "#1f2937" },
    paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff",
    legend: { orientation: "h", x: 1, xanchor: "right", y: 1.02, yanchor: "bottom" },
    hovermode: "x unified",
  });
  const axis = (title, extra = {}) => ({ title: { text: title }, gridcolor: "#e5e7eb", zeroline: false, ...extra });

  function sleepShapes(ts, xref, yref) {
    const hours = ts.hours;
    const stages = ts.values.sleep_stage || [];
    const step = ts.resolution_min / 60;
    const shapes = [];
    const runs = (test, color) => {
      let i = 0;
      while (i < stages.length) {
        if (test(stages[i])) {
          let j = i;
          while (j < stages.length && test(stages[j])) j += 1;
          shapes.push({ type: "rect", xref, yref: `${yref} domain`, x0: hours[i], x1: hours[j - 1] + step, y0: 0, y1: 1,
            fillcolor: color, line: { width: 0 }, layer: "below" });
          i = j;
        } else i += 1;
      }
    };
    runs((s) => s > 0, "rgba(99, 102, 241, 0.10)");
    runs((s) => s === 3, "rgba(99, 102, 241, 0.20)");
    return shapes;
  }

  function plotGh(res) {
    const a = res.baseline.timeseries;
    const b = res.whatif.timeseries;
    const ticks = [];
    for (let h = Math.ceil(a.start_hour / 3) * 3; h <= a.end_hour + 1e-9; h += 3) ticks.push(h);
    const tickText = ticks.map(clock);
    const trace = (ts, which, xa, ya) => ({
      x: ts.hours, y: ts.values.gh, name: `${LABELS[which]} GH`, type: "scatter", mode: "lines",
      line: { color: COLORS[which], width: 1.6 }, xaxis: xa, yaxis: ya,
      customdata: ts.hours.map(clock), hovertemplate: "%{customdata}: %{y:.2f} ng/mL<extra>" + LABELS[which] + "</extra>",
    });
    const legendSleep = [
      { x: [null], y: [null], type: "scatter", mode: "markers", name: "asleep", marker: { symbol: "square", size: 12, color: "rgba(99,102,241,0.18)" }, hoverinfo: "skip" },
      { x: [null], y: [null], type: "scatter", mode: "markers", name: "slow-wave sleep", marker: { symbol: "square", size: 12, color: "rgba(99,102,241,0.36)" }, hoverinfo: "skip" },
    ];
    const day = Math.floor(a.start_hour / 24);
    const layout = {
      ...baseLayout(`Plasma GH over 24 hours, noon to noon around the last night (day ${day} to ${day + 1})`),
      xaxis: axis("", { anchor: "y", matches: "x2", showticklabels: false, tickvals: ticks, ticktext: tickText, domain: [0, 1] }),
      xaxis2: axis("clock time", { anchor: "y2", tickvals: ticks, ticktext: tickText, domain: [0, 1] }),
      yaxis: axis("Baseline GH (ng/mL)", { domain: [0.54, 1], rangemode: "tozero" }),
      yaxis2: axis("What-if GH (ng/mL)", { domain: [0, 0.46], matches: "y", rangemode: "tozero" }),
      shapes: [...sleepShapes(a, "x", "y"), ...sleepShapes(b, "x2", "y2")],
      hovermode: "closest",
    };
    Plotly.react("fig-gh", [trace(a, "baseline", "x", "y"), trace(b, "whatif", "x2", "y2"), ...legendSleep], layout, PLOT_CONFIG);
  }

  function phaseShapes(res) {
    const shapes = [];
    const annotations = [];
    const seen = new Set();
    for (const w of WHICH) {
      for (const p of res[w].scenario.phases || []) {
        const key = `${p.start_day}-${p.end_day}-${p.label}`;
        if (seen.has(key)) continue;
        seen.add(key);
        shapes.push({ type: "rect", xref: "x", yref: "paper", x0: p.start_day - 0.5, x1: p.end_day - 0.5, y0: 0, y1: 1,
          fillcolor: w === "whatif" ? "rgba(234, 88, 12, 0.045)" : "rgba(37, 99, 235, 0.045)", line: { width: 0 }, layer: "below" });
        shapes.push({ type: "line", xref: "x", yref: "paper", x0: p.start_day - 0.5, x1: p.start_day - 0.5, y0: 0, y1: 1,
          line: { color: COLORS[w], width: 1, dash: "dot" }, layer: "below" });
        if (p.label) annotations.push({ x: (p.start_day + p.end_day - 1) / 2, y: 1, xref: "x", yref: "paper", yanchor: "top",
          text: p.label, showarrow: false, font: { size: 11, color: COLORS[w] } });
      }
    }
    return { shapes, annotations };
  }

  function dailyTrace(res, which, column, scale = 1, unit = "") {
    const d = res[which].daily;
    return {
      x: d.day, y: d[column].map((v) => (v === null ? null : v * scale)), name: LABELS[which], type: "scatter", mode: "lines+markers",
      line: { color: COLORS[which], width: 2 }, marker: { size: d.day.length > 60 ? 3 : 6 },
      hovertemplate: `day %{x}: %{y:.2f} ${unit}<extra>${LABELS[which]}</extra>`,
    };
  }

  function plotIgf1(res) {
    const days = res.baseline.daily.day.concat(res.whatif.daily.day);
    const x0 = Math.min(...days) - 0.5;
    const x1 = Math.max(...days) + 0.5;
    const traces = [];
    const refs = [res.baseline.reference];
    const rb = res.whatif.reference;
    if (rb.age_years !== refs[0].age_years || rb.sex !== refs[0].sex) refs.push(rb);
    refs.forEach((r, i) => {
      const fill = i ? "rgba(234, 88, 12, 0.08)" : "rgba(16, 185, 129, 0.13)";
      traces.push({ x: [x0, x1], y: [r.p97_5, r.p97_5], type: "scatter", mode: "lines", line: { width: 0 }, showlegend: false, hoverinfo: "skip" });
      traces.push({ x: [x0, x1], y: [r.p2_5, r.p2_5], type: "scatter", mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: fill,
        name: `reference P2.5–P97.5, ${r.sex} ${r.age_years} y`, hoverinfo: "skip" });
      traces.push({ x: [x0, x1], y: [r.p50, r.p50], type: "scatter", mode: "lines", line: { color: i ? "#c2410c" : "#059669", width: 1, dash: "dot" },
        name: "median", showlegend: false, hoverinfo: "skip" });
    });
    traces.push(dailyTrace(res, "baseline", "igf1_mean_ng_ml", 1, "ng/mL"), dailyTrace(res, "whatif", "igf1_mean_ng_ml", 1, "ng/mL"));
    const { shapes, annotations } = phaseShapes(res);
    const layout = {
      ...baseLayout("IGF-1 (daily mean) in the reference band for age and sex (dotted: median)"),
      xaxis: axis("day (from 0)", { range: [x0, x1] }),
      yaxis: axis("total IGF-1 (ng/mL)", { rangemode: "tozero" }),
      shapes, annotations,
      legend: { orientation: "h", x: 0, y: -0.3, yanchor: "top", traceorder: "normal" },
      margin: { l: 60, r: 20, t: 48, b: 110 },
    };
    Plotly.react("fig-igf1", traces, layout, PLOT_CONFIG);
  }

  function plotSds(res) {
    const days = res.baseline.daily.day.concat(res.whatif.daily.day);
    const x0 = Math.min(...days) - 0.5;
    const x1 = Math.max(...days) + 0.5;
    const { shapes, annotations } = phaseShapes(res);
    shapes.push({ type: "rect", xref: "paper", yref: "y", x0: 0, x1: 1, y0: -2, y1: 2, fillcolor: "rgba(16, 185, 129, 0.10)", line: { width: 0 }, layer: "below" });
    const values = [...res.baseline.daily.igf1_sds, ...res.whatif.daily.igf1_sds].filter((v) => v !== null);
    const lo = Math.min(-3, ...values) - 0.3;
    const hi = Math.max(3, ...values) + 0.3;
    const layout = {
      ...baseLayout("IGF-1 SDS (shaded: −2 to +2, the usual target range)"),
      xaxis: axis("day (from 0)", { range: [x0, x1] }),
      yaxis: axis("IGF-1 SDS", { range: [lo, hi], zeroline: true, zerolinecolor: "#9ca3af" }),
      shapes, annotations,
      legend: { orientation: "h", x: 0, y: -0.3, yanchor: "top", traceorder: "normal" },
      margin: { l: 60, r: 20, t: 48, b: 110 },
    };
    Plotly.react("fig-sds", [dailyTrace(res, "baseline", "igf1_sds"), dailyTrace(res, "whatif", "igf1_sds")], layout, PLOT_CONFIG);
  }

  function plotSecretion(res) {
    const bars = res.baseline.daily.day.length <= 42;
    const trace = (which) => ({
      ...dailyTrace(res, which, "gh_secretion_mg", 1, "mg"),
      type: bars ? "bar" : "scatter",
      marker: { color: COLORS[which] },
      hovertemplate: `day %{x}: %{y:.3f} mg<extra>${LABELS[which]}</extra>`,
    });
    const { shapes, annotations } = phaseShapes(res);
    const layout = {
      ...baseLayout("Pituitary GH secreted per day (injected GH not included)"),
      xaxis: axis("day (from 0)"),
      yaxis: axis("GH secretion (mg/day)", { rangemode: "tozero" }),
      barmode: "group", bargap: 0.25, shapes, annotations,
    };
    Plotly.react("fig-secretion", [trace("baseline"), trace("whatif")], layout, PLOT_CONFIG);
  }

  // --- downloads -----------------------------------------------------------------------------
  function saveBlob(blob, filename) {
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  }

  async function download(kind) {
    if (!state.lastRequest) return;
    const req = { ...state.lastRequest, timeseries: { variables: [] } };
    try {
      if (kind === "json") {
        saveBlob(new Blob([JSON.stringify({ request: state.lastRequest, response: state.last }, null, 1)], { type: "application/json" }), "somatosim-comparison.json");
      } else if (kind === "csv") {
        saveBlob(await api("POST", "/api/export/compare.csv", req, "blob"), "somatosim-comparison.csv");
      } else {
        setBusy(true, "Writing the report…");
        saveBlob(await api("POST", "/api/export/compare.html", req, "blob"), "somatosim-comparison.html");
        setBusy(false, "Report downloaded");
      }
    } catch (err) {
      setBusy(false, "");
      showErrors(err);
    }
  }

  // --- tools: SDS calculator, pulse analysis, parameters --------------------------------------
  async function scoreSds() {
    const q = new URLSearchParams({
      igf1: $("#sds-igf1").value, units: $("#sds-units").value, age_years: $("#sds-age").value, sex: $("#sds-sex").value,
    });
    const out = $("#sds-out");
    try {
      const r = await api("GET", `/api/sds?${q}`);
      const ref = r.reference;
      out.className = "tool-out";
      out.textContent = `SDS ${signed(r.sds, 2)} (percentile ${fmt(r.percentile, 1)}) — IGF-1 ${fmt(r.igf1_ng_ml, 0)} ng/mL; ` +
        `reference range for a ${ref.age_years}-year-old ${ref.sex === "male" ? "man" : "woman"}: ${fmt(ref.p2_5, 0)}–${fmt(ref.p97_5, 0)} ng/mL ` +
        `(median ${fmt(ref.p50, 0)}). Reference: ${ref.name}.`;
    } catch (err) {
      out.className = "tool-out error";
      out.textContent = err.payload ? err.payload.message : String(err);
    }
  }

  function parseSeries(text) {
    const t = [];
    const c = [];
    for (const line of text.split(/\r?\n/)) {
      const parts = line.trim().split(/[\s,;\t]+/).filter(Boolean);
      if (parts.length < 2) continue;
      const a = Number(parts[0]);
      const b = Number(parts[1]);
      if (Number.isFinite(a) && Number.isFinite(b)) { t.push(a); c.push(b); }
    }
    return [t, c];
  }

  async function analysePulses() {
    const [times, conc] = parseSeries($("#pulse-text").value);
    const out = $("#pulse-out");
    if (times.length < 6) {
      out.className = "tool-out error";
      out.textContent = "Give at least 6 lines of 'minutes, concentration'.";
      return;
    }
    out.className = "tool-out";
    out.textContent = "Analysing…";
    try {
      const r = await api("POST", "/api/pulses", { times_min: times, concentration: conc });
      const est = Object.fromEntries(r.estimates.map((e) => [e.quantity, e]));
      const basal = est.basal_rate ? ` · basal secretion ${fmt(est.basal_rate.value, 4)} ${est.basal_rate.unit}` : "";
      out.textContent = `${r.n_bursts} secretory bursts · half-life ${fmt(r.halflife_min, 1)} min${basal}` +
        (r.warnings.length ? ` · note: ${r.warnings.join("; ")}` : "");
      const fig = $("#fig-pulse");
      fig.hidden = false;
      const bt = r.bursts.time_min || [];
      Plotly.react(fig, [
        { x: times, y: conc, type: "scatter", mode: "markers", name: "measured", marker: { color: "#374151", size: 5 } },
        { x: times, y: r.fitted, type: "scatter", mode: "lines", name: "fit", line: { color: COLORS.baseline } },
        { x: bt, y: bt.map(() => 0), type: "scatter", mode: "markers", name: "burst centres", marker: { symbol: "triangle-up", color: "#dc2626", size: 9 } },
      ], { ...baseLayout("Measured series, fit and burst centres"), xaxis: axis("minutes"), yaxis: axis(`concentration (${r.units})`) }, PLOT_CONFIG);
    } catch (err) {
      out.className = "tool-out error";
      out.textContent = err.payload ? err.payload.message : String(err);
    }
  }

  async function pulseExample() {
    // the baseline's last simulated night, sampled every 10 minutes, as a worked example
    const sc = readScenario("baseline");
    const days = Math.max(1, Math.floor(Number(sc.days) || 1));
    const [start, end] = dayWindow(days);
    try {
      const r = await api("POST", "/api/simulate", { scenario: sc, timeseries: { resolution_min: 10, start_hour: start, end_hour: end, variables: ["gh"] } });
      const ts = r.timeseries;
      $("#pulse-text").value = ts.hours.map((h, i) => `${Math.round((h - ts.hours[0]) * 60)}, ${ts.values.gh[i].toFixed(3)}`).join("\n");
    } catch (err) {
      showErrors(err);
    }
  }

  async function loadAbout() {
    const body = $("#about-body");
    if (body.dataset.loaded) return;
    try {
      const [params, refs] = await Promise.all([api("GET", "/api/parameters"), api("GET", "/api/citations")]);
      body.dataset.loaded = "1";
      const ptable = el("table", { class: "small-table" },
        el("thead", {}, el("tr", {}, ["Parameter", "Value", "Unit", "Plausible range", "Mechanism", "Source"].map((h) => el("th", { text: h })))),
        el("tbody", {}, params.map((p) => el("tr", { title: p.description },
          el("td", { text: p.name }), el("td", { class: "num", text: String(p.value) }), el("td", { text: p.unit }),
          el("td", { text: `${p.lower} – ${p.upper}` }), el("td", { text: p.mechanism }), el("td", { text: p.source.replaceAll(";", "; ") })))));
      const rlist = el("ol", { class: "refs" }, refs.map((r) => el("li", {},
        el("strong", { text: r.key }), " ", r.citation,
        r.doi ? el("span", {}, " doi:", el("a", { href: `https://doi.org/${r.doi}`, rel: "noreferrer noopener", target: "_blank", text: r.doi })) : null)));
      body.replaceChildren(el("h3", { text: `Parameters (${params.length})` }), el("p", { class: "hint", text: "Hover a row for its description." }),
        el("div", { class: "scroll" }, ptable), el("h3", { text: `Sources (${refs.length})` }), el("div", { class: "scroll" }, rlist));
    } catch (err) {
      body.replaceChildren(el("p", { class: "tool-out error", text: err.payload ? err.payload.message : String(err) }));
    }
  }

  // --- start-up ------------------------------------------------------------------------------
  function readTokenFromUrl() {
    const m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
    if (m) {
      state.token = decodeURIComponent(m[1]);
      sessionStorage.setItem(TOKEN_KEY, state.token);
      history.replaceState(null, "", location.pathname + location.search);
    }
  }

  async function start() {
    clearErrors();
    readTokenFromUrl();
    if (!start.tokenWired) {
      start.tokenWired = true;
      $("#token-form").addEventListener("submit", (ev) => {
        ev.preventDefault();
        state.token = $("#token-input").value.trim();
        sessionStorage.setItem(TOKEN_KEY, state.token);
        $("#token-bar").hidden = true;
        start();
      });
    }
    try {
      const [info, schema, presets] = await Promise.all([
        api("GET", "/api/info"), api("GET", "/api/scenario-schema"), api("GET", "/api/presets"),
      ]);
      state.info = info;
      state.schema = schema;
      state.presets = presets;
    } catch (err) {
      showErrors(err);
      return;
    }
    $("#token-bar").hidden = true;
    $("#version").textContent = `somatosim ${state.info.version}`;
    const maxDays = state.info.limits.max_days;
    $("#days").max = maxDays;
    $("#days-hint").textContent = `1–${maxDays} days`;
    for (const w of WHICH) {
      buildForm(w);
      fillForm(w, { name: w === "baseline" ? "baseline" : "what-if" });
    }
    $("#whatif-note").textContent = "Change something here (or start from a preset), then run.";
    $("#baseline-note").textContent = "Defaults: a healthy 30-year-old man. Change anything, or start from a preset.";
    if (!start.wired) {
      start.wired = true;
      $("#run").addEventListener("click", runComparison);
      $("#run2").addEventListener("click", runComparison);
      $("#dl-csv").addEventListener("click", () => download("csv"));
      $("#dl-json").addEventListener("click", () => download("json"));
      $("#dl-html").addEventListener("click", () => download("html"));
      $("#sds-run").addEventListener("click", scoreSds);
      $("#pulse-run").addEventListener("click", analysePulses);
      $("#pulse-example").addEventListener("click", pulseExample);
      $("#pulse-file").addEventListener("change", async (ev) => {
        const file = ev.target.files[0];
        if (file) $("#pulse-text").value = await file.text();
      });
      $("#about").addEventListener("toggle", () => $("#about").open && loadAbout());
      for (const form of $$("form.scenario")) form.addEventListener("submit", (ev) => { ev.preventDefault(); runComparison(); });
    }
    document.body.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", start);
})();
