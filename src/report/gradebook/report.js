// report.html's script: renders the page from its `data` block (see html.rs for its shape).
// Learner text is only ever set as text (textContent), never as markup.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("data").textContent);
  const texts = data.texts;
  const text = (i) => (i === null || i === undefined ? null : texts[i]);

  /** An element with a class, text and attributes; never markup from the data. */
  function el(tag, options, ...children) {
    const node = document.createElement(tag);
    const o = options || {};
    if (o.cls) node.className = o.cls;
    if (o.text !== undefined) node.textContent = String(o.text);
    for (const [name, value] of Object.entries(o.attrs || {})) node.setAttribute(name, value);
    for (const child of children) if (child) node.append(child);
    return node;
  }

  /** A number of points as the gradebook writes it: at most two decimals, no trailing zeros. */
  const points = (n) => String(Math.round(n * 100) / 100);

  /** A symbol per status that is neither a pass nor a plain failure, shown beside the number. */
  const MARKS = {
    error: "!",
    timeout: "T",
    "output-limit": "L",
    "memory-limit": "L",
    "disk-limit": "L",
    "process-limit": "L",
    rejected: "\u2715",
    inconclusive: "?",
    skipped: "\u2026",
  };

  /** A cell's background on the heatmap: red at 0, through yellow, to green at full marks. */
  const heat = (ratio) => `hsl(${Math.round(120 * Math.max(0, Math.min(1, ratio)))}, 70%, 80%)`;

  // The summary block.
  const summary = document.getElementById("summary");
  summary.append(
    el(
      "p",
      {},
      el("strong", { text: `${data.learners} learners` }),
      data.refused ? ` (${data.refused} refused)` : "",
      `: a mean of ${points(data.mean_score)} of ${points(data.max_score)} points (${points(data.mean_percent)}%).`,
    ),
  );
  const modules = el("table", { attrs: { id: "modules" } });
  modules.append(el("caption", { text: "Mean score per module (not started counts 0)", cls: "note" }));
  modules.append(
    el(
      "tr",
      {},
      ...["Module", "Exercises", "Mean score", "Mean %"].map((h) => el("th", { text: h, attrs: { scope: "col" } })),
    ),
  );
  for (const m of data.modules) {
    modules.append(
      el(
        "tr",
        {},
        el("th", { text: `${m.number} ${m.title}`, attrs: { scope: "row" } }),
        el("td", { text: m.exercises }),
        el("td", { text: `${points(m.mean_score)} of ${points(m.max_score)}` }),
        el("td", { text: `${points(m.mean_percent)}%` }),
      ),
    );
  }
  summary.append(modules);
  if (data.messages_left_out) {
    summary.append(
      el("p", {
        cls: "note",
        text: "Some messages are left out to keep this page small: each learner's own report (learners/NAME.md) has them all.",
      }),
    );
  }

  // The legend.
  const legend = document.getElementById("legend");
  const swatch = (style, label) => {
    const s = el("span", { cls: "swatch" });
    s.style.background = style;
    return el("span", {}, s, label);
  };
  legend.append(
    "Points of the maximum:",
    swatch(heat(0), "0%"),
    swatch(heat(0.5), "50%"),
    swatch(heat(1), "100%"),
    swatch("repeating-linear-gradient(45deg, #fff, #fff 4px, #e4e4e4 4px, #e4e4e4 8px)", "\u2013 not started"),
    swatch("#e5d3ee", "\u2715 refused or rejected"),
    el("span", { text: "! error, T timeout, L over a limit, ? inconclusive" }),
  );

  // The table's head: the modules over their exercises, then total and percent.
  const table = document.getElementById("grades");
  const head = table.tHead;
  const top = el("tr");
  const second = el("tr");
  const sortable = []; // [th, key]: key -1 is the name, columns.length the total, +1 the percent
  const sortHeader = (label, key, extra) => {
    const th = el("th", { attrs: { scope: "col", "data-key": key } }, el("button", { cls: "sort", text: label, attrs: { type: "button" } }), extra);
    sortable.push(th);
    return th;
  };
  const nameTh = sortHeader("Learner", -1);
  nameTh.classList.add("name");
  nameTh.rowSpan = 2;
  top.append(nameTh);
  for (const m of data.modules) {
    const count = data.columns.filter((c) => c.module === m.number).length;
    if (count === 0) continue;
    top.append(el("th", { cls: "module", text: `${m.number} ${m.title}`, attrs: { scope: "colgroup", colspan: count } }));
  }
  data.columns.forEach((c, j) => {
    const th = sortHeader(c.title, j, el("span", { cls: "max", text: `of ${points(c.max_score)}` }));
    th.title = c.id;
    th.dataset.exercise = c.id;
    second.append(th);
  });
  const totalTh = sortHeader("Total", data.columns.length, el("span", { cls: "max", text: `of ${points(data.max_score)}` }));
  const percentTh = sortHeader("%", data.columns.length + 1);
  totalTh.rowSpan = 2;
  percentTh.rowSpan = 2;
  top.append(totalTh, percentTh);
  head.append(top, second);

  // The body: a row per learner.
  const statusOf = (cell) => text(cell.s);
  const body = table.tBodies[0];
  const rows = data.rows.map((row, i) => {
    const tr = el("tr", { attrs: { "data-learner": row.name } });
    const name = el("button", { cls: "learner", text: row.name, attrs: { type: "button" } });
    const th = el("th", { attrs: { scope: "row" } }, name);
    if (row.refused !== undefined) {
      tr.classList.add("refused");
      th.append(el("span", { cls: "badge", text: "refused", attrs: { title: row.refused } }));
    }
    tr.append(th);
    row.cells.forEach((cell, j) => {
      const column = data.columns[j];
      const status = statusOf(cell);
      const td = el("td", { attrs: { "data-exercise": column.id, "data-status": status, tabindex: "-1" } });
      if (status === "not-started") {
        td.classList.add("not-started");
        td.textContent = "\u2013";
        td.setAttribute("aria-label", `${column.title}: not started`);
      } else {
        td.textContent = points(cell.p);
        td.style.background = heat(column.max_score > 0 ? cell.p / column.max_score : 1);
        td.classList.add(status);
        if (MARKS[status]) {
          td.classList.add("mark");
          td.dataset.mark = MARKS[status];
        }
        td.setAttribute("aria-label", `${column.title}: ${points(cell.p)} of ${points(column.max_score)}, ${status}`);
      }
      td.title = `${column.title}: ${status}`;
      td.dataset.column = j;
      tr.append(td);
    });
    tr.append(el("td", { cls: "total", text: points(row.total) }), el("td", { cls: "percent", text: points(row.percent) }));
    body.append(tr);
    return { row, tr, index: i };
  });

  // The foot: each exercise's mean among those who started it.
  const foot = table.createTFoot();
  const mean = el("tr", {}, el("th", { text: "Mean (started)", attrs: { scope: "row" } }));
  for (const c of data.columns) {
    mean.append(el("td", { text: c.mean_score === null ? "\u2013" : points(c.mean_score), attrs: { title: `${c.started} started, ${c.passed} passed` } }));
  }
  mean.append(el("td", { text: points(data.mean_score) }), el("td", { text: points(data.mean_percent) }));
  foot.append(mean);

  // Sorting: numbers numerically, names by code point, not started below 0; ties by name.
  const keyOf = (r, key) => {
    if (key === -1) return r.row.name;
    if (key === data.columns.length) return r.row.total;
    if (key === data.columns.length + 1) return r.row.percent;
    const cell = r.row.cells[key];
    return statusOf(cell) === "not-started" ? -1 : cell.p;
  };
  const compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  function sortBy(th) {
    const key = Number(th.dataset.key);
    // A first click sorts names up and numbers down (best first); a second one turns it.
    const first = key === -1 ? "ascending" : "descending";
    const current = th.getAttribute("aria-sort");
    const order = current === null || current === "none" ? first : current === "ascending" ? "descending" : "ascending";
    for (const other of sortable) other.removeAttribute("aria-sort");
    th.setAttribute("aria-sort", order);
    const sign = order === "ascending" ? 1 : -1;
    const sorted = rows.slice().sort((a, b) => sign * compare(keyOf(a, key), keyOf(b, key)) || a.index - b.index);
    body.append(...sorted.map((r) => r.tr));
  }
  for (const th of sortable) th.querySelector("button").addEventListener("click", () => sortBy(th));
  nameTh.setAttribute("aria-sort", "ascending");

  // A learner's details.
  const details = document.getElementById("details");
  function showLearner(r, column) {
    const row = r.row;
    details.replaceChildren();
    details.hidden = false;
    details.append(el("h2", { text: `${row.name}: ${points(row.total)} of ${points(data.max_score)} points (${points(row.percent)}%)` }));
    const file = encodeURIComponent(row.name);
    details.append(
      el(
        "p",
        { cls: "links" },
        el("a", { text: "Full report (Markdown)", attrs: { href: `learners/${file}.md` } }),
        el("a", { text: "Full report (JSON)", attrs: { href: `learners/${file}.json` } }),
      ),
    );
    if (row.refused !== undefined) {
      details.append(el("p", { cls: "status", text: `Submission refused: ${row.refused}` }));
    }
    let focus = null;
    row.cells.forEach((cell, j) => {
      const c = data.columns[j];
      const article = el("article", { attrs: { "data-exercise": c.id, tabindex: "-1" } });
      article.append(
        el("h3", { text: `${c.title} (${c.id})` }),
        el("p", {}, el("span", { cls: "status", text: statusOf(cell) }), `: ${points(cell.p)} of ${points(c.max_score)} points`),
      );
      if (cell.ng) article.append(el("p", { cls: "note", text: `${cell.ng} files in the folder were not graded (the full report says why)` }));
      if (cell.c && cell.c.length) {
        const list = el("ul", { cls: "checks" });
        for (const check of cell.c) list.append(checkItem(check));
        article.append(list);
      }
      if (j === column) {
        article.classList.add("focused");
        focus = article;
      }
      details.append(article);
    });
    (focus || details).scrollIntoView({ block: "start" });
    if (focus) focus.focus({ preventScroll: true });
  }

  function checkItem(check) {
    const li = el(
      "li",
      { cls: "check" },
      el("strong", { text: text(check.k) }),
      ` ${text(check.s)}, ${points(check.p)} of ${points(check.m)}`,
    );
    if (check.msg !== undefined) li.append(el("pre", { text: text(check.msg) }));
    const items = [];
    for (const [name, status, message, location] of check.t || []) {
      const item = el("li", { cls: "test" }, el("span", { text: `${text(name)}: ${text(status)}` }));
      if (location !== null) item.append(el("span", { cls: "note", text: ` at ${text(location)}` }));
      if (message !== null) item.append(el("pre", { text: text(message) }));
      items.push(item);
    }
    for (const [place, message] of check.d || []) {
      items.push(el("li", { cls: "diagnostic" }, el("code", { text: text(place) }), message === null ? "" : ` ${text(message)}`));
    }
    if (check.more) items.push(el("li", { cls: "note", text: `and ${check.more} more` }));
    if (check.nr) items.push(el("li", { cls: "note", text: `${check.nr} tests not run` }));
    if (check.h) items.push(el("li", { cls: "note", text: `hidden tests: ${check.h[0]} of ${check.h[1]} passed` }));
    if (items.length) li.append(el("ul", {}, ...items));
    return li;
  }

  body.addEventListener("click", (event) => {
    const tr = event.target.closest("tr");
    if (!tr) return;
    const r = rows.find((x) => x.tr === tr);
    const td = event.target.closest("td[data-column]");
    if (r && (td || event.target.closest("button.learner"))) showLearner(r, td ? Number(td.dataset.column) : null);
  });
})();
