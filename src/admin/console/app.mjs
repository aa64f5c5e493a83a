// The web console (docs/console.md): a tenant browses its buckets and
// objects, decides operators' access requests, manages its key and its
// buckets' residency and reads its transparency log; an operator manages
// tenants, asks for access and reads the operator log. Everything goes
// through the public S3 and admin APIs (api.mjs), so the console can do
// nothing a signed client could not. This module routes and signs in; each
// page is a view_*.mjs module.

import { Client } from "./api.mjs";
import {
  $,
  h,
  isOperator,
  isTenantRoot,
  mount,
  session,
  setRenderer,
  showError,
  status,
  whileBusy,
  isBusy,
} from "./ui.mjs";
import { accessView } from "./view_access.mjs";
import { bucketsView } from "./view_buckets.mjs";
import { keysView } from "./view_keys.mjs";
import { sessionsView } from "./view_sessions.mjs";
import { logView } from "./view_log.mjs";
import { objectView } from "./view_object.mjs";
import { objectsView } from "./view_objects.mjs";
import { settingsView } from "./view_settings.mjs";
import { maintenanceView } from "./view_maintenance.mjs";
import { tenantsView } from "./view_tenants.mjs";
import { userView, usersView } from "./view_users.mjs";

let renderSerial = 0; // a newer render makes an older one's late results moot

// --- routes ----------------------------------------------------------------

function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/");
  if (parts[0] === "b" && parts.length >= 2) {
    return {
      view: "objects",
      bucket: decodeURIComponent(parts[1]),
      prefix: decodeURIComponent(parts.slice(2).join("/")),
    };
  }
  if (parts[0] === "s" && parts.length >= 2) return { view: "settings", bucket: decodeURIComponent(parts[1]) };
  if (parts[0] === "o" && parts.length >= 3) {
    return { view: "object", bucket: decodeURIComponent(parts[1]), key: decodeURIComponent(parts.slice(2).join("/")) };
  }
  if (parts[0] === "access") return { view: "access" };
  if (parts[0] === "keys") return { view: "keys" };
  if (parts[0] === "sessions") return { view: "sessions" };
  if (parts[0] === "users") return { view: "users" };
  if (parts[0] === "u" && parts.length >= 2) return { view: "user", user: decodeURIComponent(parts[1]) };
  if (parts[0] === "tenants") return { view: "tenants" };
  if (parts[0] === "maintenance") return { view: "maintenance" };
  if (parts[0] === "log") return { view: "log" };
  return { view: "buckets" };
}

function render() {
  return whileBusy(drawPage);
}

// The header follows the session: the navigation only when signed in, the
// pages the signed-in principal may use, and who it is.
function drawHeader() {
  const me = session.identity;
  $("nav").hidden = session.client === null;
  // The key and the users are the tenant root's to manage (operators read
  // the key only with an approval, users not at all); tenants are the
  // operators'.
  $("nav-keys").hidden = !isTenantRoot();
  $("nav-users").hidden = !isTenantRoot();
  $("nav-tenants").hidden = !isOperator();
  $("nav-maintenance").hidden = !isOperator();
  $("nav-sessions").hidden = isOperator();
  $("who").textContent =
    session.client === null
      ? ""
      : me === null
        ? `user of access key ${session.client.accessKey}`
        : me.kind === "operator"
          ? `operator ${me.name}`
          : `tenant ${me.tenant} (${me.user})`;
}

async function drawPage() {
  const serial = ++renderSerial;
  drawHeader();
  if (session.client === null) {
    mount(loginView());
    return;
  }
  const r = route();
  const views = {
    buckets: bucketsView,
    objects: objectsView,
    settings: settingsView,
    object: objectView,
    access: accessView,
    keys: keysView,
    sessions: sessionsView,
    users: usersView,
    user: userView,
    tenants: tenantsView,
    maintenance: maintenanceView,
    log: logView,
  };
  try {
    const node = await views[r.view](r);
    if (serial === renderSerial) mount(node);
  } catch (e) {
    if (serial !== renderSerial) return;
    showError(e);
    mount(h("p", { class: "muted" }, "Nothing to show."));
  }
}

// --- sign in ---------------------------------------------------------------

function loginView() {
  const accessKey = h("input", { id: "access-key", name: "access-key", autocomplete: "username", required: true });
  const secretKey = h("input", {
    id: "secret-key",
    name: "secret-key",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const form = h(
    "form",
    { id: "login", class: "login" },
    h("h2", {}, "Sign in"),
    h("label", {}, "Access key ", accessKey),
    h("label", {}, "Secret key ", secretKey),
    h("button", { id: "sign-in", type: "submit" }, "Sign in"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    whileBusy(async () => {
      showError(null);
      const candidate = new Client({
        accessKey: accessKey.value.trim(),
        secretKey: secretKey.value,
        region: session.region,
      });
      secretKey.value = "";
      try {
        status("Signing in…");
        const me = await candidate.whoami();
        session.client = candidate;
        session.identity = me;
        status("");
        await render();
      } catch (e) {
        candidate.forget();
        status("");
        showError(e);
      }
    });
  });
  return form;
}

// `why`: shown after signing out (else nothing).
function signOut(why = "") {
  if (session.client) session.client.forget();
  session.client = null;
  session.identity = null;
  showError(null);
  status(typeof why === "string" ? why : "");
  location.hash = "#/buckets";
  render();
}

// --- idle sign-out -----------------------------------------------------------

// A tab left open on a shared or unattended computer should not keep the
// secret key usable: after session.idleTimeout seconds without a click, a
// key press or an action of the page (an upload in progress counts), the
// page signs out.
function watchIdleness() {
  let last = Date.now();
  const touch = () => {
    last = Date.now();
  };
  for (const ev of ["pointerdown", "keydown"]) document.addEventListener(ev, touch, { capture: true, passive: true });
  setInterval(() => {
    if (isBusy() || session.client === null) {
      touch();
      return;
    }
    if (session.idleTimeout > 0 && Date.now() - last > session.idleTimeout * 1000) {
      signOut(`Signed out after ${session.idleTimeout} s without activity.`);
    }
  }, 1000);
}

// --- start -----------------------------------------------------------------

async function start() {
  setRenderer(render);
  try {
    const config = await (await fetch("config.json", { cache: "no-store" })).json();
    session.region = config.region;
    session.idleTimeout = config.idle_timeout_s;
  } catch (e) {
    showError(new Error(`cannot read config.json: ${e.message}`));
  }
  $("sign-out").addEventListener("click", () => signOut());
  watchIdleness();
  window.addEventListener("hashchange", () => {
    showError(null);
    render();
  });
  await render();
}

start();
