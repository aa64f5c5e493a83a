// The service's maintenance jobs, for operators: the online scrub (start,
// stop, progress and the damaged objects it found) and the online backup
// (docs/operations.md "Scrubbing", docs/backup.md).

import { act, factRows, h, headerRow, humanSize, redraw, timeOf, session } from "./ui.mjs";

const MiB = 1024 * 1024;

function scrubSection(scrub) {
  const facts = [
    ["State", scrub.state],
    ["Started by", scrub.started_by || ""],
    ["Started", timeOf(scrub.started_ms)],
    ["Finished", timeOf(scrub.finished_ms)],
    ["Objects checked", scrub.objects],
    ["Bytes verified", humanSize(scrub.bytes_verified)],
    ["Damaged objects", scrub.damaged_objects],
    ["Buckets whose key refused the scrub", (scrub.refused_buckets || []).length],
  ];
  if (scrub.error) facts.push(["Error", scrub.error]);
  const damaged = scrub.damaged || [];
  let control;
  if (scrub.state === "running") {
    control = h(
      "button",
      {
        id: "scrub-stop",
        class: "danger",
        type: "button",
        onclick: () => act("Stopping the scrub", () => session.client.stopScrub()),
      },
      "Stop the scrub",
    );
  } else {
    const rate = h("input", {
      id: "scrub-rate",
      type: "number",
      min: "0",
      placeholder: "MiB/s (empty: the server's rate; 0: no limit)",
    });
    control = h("form", { id: "scrub-start" }, rate, h("button", { type: "submit" }, "Start a scrub"));
    control.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const spec = rate.value.trim() === "" ? {} : { max_bytes_per_second: Math.round(Number(rate.value) * MiB) };
      act("Starting a scrub", () => session.client.startScrub(spec));
    });
  }
  return h(
    "div",
    {},
    h("h3", {}, "Scrub"),
    h("p", { class: "muted" }, "Reads every object and checks it against its checksums, at a bounded rate."),
    h("table", { id: "scrub" }, factRows(facts)),
    damaged.length === 0
      ? null
      : h(
          "table",
          { id: "scrub-damaged" },
          headerRow("Bucket", "Key", "Kind", "Detail"),
          damaged.map((d) =>
            h("tr", {}, h("td", {}, d.bucket), h("td", {}, d.key), h("td", {}, d.kind), h("td", {}, d.detail)),
          ),
        ),
    control,
  );
}

function backupSection(backup) {
  const facts = [
    ["State", backup.state],
    ["Directory", backup.path || ""],
    ["Phase", backup.phase || ""],
    ["Started", timeOf(backup.started_ms)],
    ["Finished", timeOf(backup.finished_ms)],
    ["Blobs", backup.blobs_done || 0],
    ["Blob bytes", humanSize(backup.blob_bytes || 0)],
  ];
  if (backup.base) facts.push(["Incremental, from", backup.base]);
  if (backup.error) facts.push(["Error", backup.error]);
  const path = h("input", { id: "backup-path", placeholder: "/absolute/new/directory on the server", required: true });
  const base = h("input", { id: "backup-base", placeholder: "earlier backup (optional: incremental)" });
  const form = h("form", { id: "backup-start" }, path, base, h("button", { type: "submit" }, "Start a backup"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const spec = { path: path.value.trim() };
    if (base.value.trim() !== "") spec.base = base.value.trim();
    act("Starting a backup", () => session.client.startBackup(spec));
  });
  return h(
    "div",
    {},
    h("h3", {}, "Backup"),
    h(
      "p",
      { class: "muted" },
      "A consistent copy of the metadata and the encrypted blobs into a new directory on the server's host; " +
        "the root key stays out (the CLI's --include-root-key puts it in).",
    ),
    h("table", { id: "backup" }, factRows(facts)),
    backup.state === "running" ? null : form,
  );
}

export async function maintenanceView() {
  const [scrub, backup] = await Promise.all([session.client.scrub(), session.client.backup()]);
  return h(
    "section",
    {},
    h("h2", {}, "Maintenance"),
    h("button", { id: "maintenance-refresh", type: "button", onclick: () => redraw() }, "Refresh"),
    scrubSection(scrub),
    backupSection(backup),
  );
}
