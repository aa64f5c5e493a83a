// Shared by the console's views: the signed-in session, DOM helpers that
// only ever insert server data as text, and the one way a user's action
// runs (act). Names from the server (buckets, keys, reasons, log entries)
// are put in the page only as text (textContent), never as markup.

import { ApiError } from "./api.mjs";

// The signed-in client (null when signed out), GET /whoami's answer (null
// for a tenant's user), and the region the page signs for.
// `idleTimeout`: seconds without activity before the page signs out (0:
// never), from the server (--console-idle-timeout).
export const session = { client: null, identity: null, region: "us-east-1", idleTimeout: 0 };

let rerender = async () => {};

// app.mjs hands over its render(): redraw() (and act(), after each
// action) draws the current page again.
export function setRenderer(fn) {
  rerender = fn;
}

export function redraw() {
  return rerender();
}

export function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "onclick" || k === "onsubmit" || k === "onchange") el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (v !== false && v !== null && v !== undefined) el.setAttribute(k, v === true ? "" : v);
  }
  // A field named only by its placeholder is named so to screen readers too.
  if (attrs.placeholder && !attrs["aria-label"]) el.setAttribute("aria-label", attrs.placeholder);
  for (const kid of kids.flat()) {
    if (kid !== null && kid !== undefined && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
  }
  return el;
}

export const $ = (id) => document.getElementById(id);

// A text area for a JSON policy document, holding `text`.
export function jsonEditor(attrs, label, text) {
  const area = h("textarea", { ...attrs, rows: "10", cols: "80", spellcheck: "false", "aria-label": label });
  area.value = text;
  return area;
}

// A table's header row.
export function headerRow(...titles) {
  return h(
    "tr",
    {},
    titles.map((t) => h("th", {}, t)),
  );
}

// Rows of [name, value] facts, the value's cell marked data-fact=name.
export function factRows(facts) {
  return facts.map(([name, value]) =>
    h("tr", {}, h("th", {}, name), h("td", { dataset: { fact: name } }, String(value))),
  );
}

export function showError(e) {
  const box = $("error");
  if (!e) {
    box.hidden = true;
    box.textContent = "";
    return;
  }
  box.hidden = false;
  const id = e instanceof ApiError && e.requestId ? ` (request ${e.requestId})` : "";
  box.textContent = (e instanceof Error ? e.message : String(e)) + id;
}

export function status(text) {
  $("status").textContent = text;
}

export function mount(...nodes) {
  $("main").replaceChildren(...nodes);
}

export function humanSize(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

export function timeOf(ms) {
  return ms ? new Date(ms).toISOString() : "";
}

export function quotaText(used, max, format) {
  return max ? `${format(used)} of ${format(max)}` : format(used);
}

// Runs an action of the user: errors shown, the view redrawn after.
export async function act(what, fn) {
  await whileBusy(async () => {
    showError(null);
    status(what + "…");
    try {
      await fn();
      status("");
    } catch (e) {
      status("");
      showError(e);
    }
    await redraw();
  });
}

let busyCount = 0;

export function isBusy() {
  return busyCount > 0;
}

// Marks the page busy (<body data-busy>) while `fn` runs: an action or a
// drawing is under way, and what is shown may be about to change. For
// the eye nothing changes; tests wait for it to clear before they look.
export async function whileBusy(fn) {
  busyCount++;
  document.body.dataset.busy = "";
  try {
    return await fn();
  } finally {
    if (--busyCount === 0) delete document.body.dataset.busy;
  }
}

export function isOperator() {
  return session.identity !== null && session.identity.kind === "operator";
}

export function isTenantRoot() {
  const me = session.identity;
  return me !== null && me.kind === "tenant" && me.user === "root";
}

export function objectsHash(bucket, prefix) {
  return `#/b/${encodeURIComponent(bucket)}/${encodeURIComponent(prefix)}`;
}

export function objectHash(bucket, key) {
  return `#/o/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}`;
}

// "Buckets / bucket / folder / ...": a link for the bucket list, the
// bucket and each folder of `path`; its last part, when `path` does not
// end in "/" (an object's key), as text.
export function breadcrumb(bucket, path = "") {
  const crumbs = [h("a", { href: "#/buckets" }, "Buckets"), " / ", h("a", { href: objectsHash(bucket, "") }, bucket)];
  const parts = path.split("/");
  const last = parts.pop();
  let at = "";
  for (const part of parts) {
    at += part + "/";
    crumbs.push(" / ", h("a", { href: objectsHash(bucket, at) }, part));
  }
  if (last !== "") crumbs.push(" / ", last);
  return crumbs;
}

export async function startDownload(bucket, key, versionId = "") {
  const a = h("a", { href: await session.client.downloadUrl(bucket, key, versionId), download: "" });
  document.body.append(a);
  a.click();
  a.remove();
}

// Shows a new secret above the page, the only time the server returns it.
function showSecretOnce(title, credentials, advice) {
  $("main").prepend(
    h(
      "div",
      { id: "new-credentials" },
      h("h3", {}, `${title}: shown this once`),
      h("pre", {}, `access key: ${credentials.access_key}\nsecret key: ${credentials.secret_key}`),
      h("p", { class: "muted" }, `${advice} The server keeps no copy it can show again.`),
    ),
  );
}

// Runs a creation whose reply carries a secret ({access_key, secret_key},
// from `fn`): redraws, then shows it with `title` and `advice`.
export function createWithSecret(what, fn, title, advice = "Keep it now.") {
  return whileBusy(async () => {
    showError(null);
    status(what + "…");
    try {
      const credentials = await fn();
      status("");
      await redraw();
      showSecretOnce(title, credentials, advice);
    } catch (e) {
      status("");
      showError(e);
    }
  });
}
