// The caller's transparency log: the verifier key, the latest checkpoint and entries.

import { ApiError } from "./api.mjs";
import { describeSigners, entryBundleResource, parseCheckpoint, parseEntryBundle } from "./log.mjs";
import { h, session } from "./ui.mjs";

const ENTRIES_SHOWN = 50;

async function latestEntries(cp) {
  const entries = [];
  let end = cp.size;
  while (end > 0 && entries.length < ENTRIES_SHOWN) {
    const bundle = parseEntryBundle(await session.client.logBytes(entryBundleResource(end - 1, end)));
    const first = end - bundle.length;
    for (let i = bundle.length - 1; i >= 0 && entries.length < ENTRIES_SHOWN; i--) {
      entries.push({ index: first + i, text: bundle[i] });
    }
    end = first;
  }
  return entries;
}

function entryNode({ index, text }) {
  let summary = "";
  try {
    const e = JSON.parse(text);
    summary = [e.time, e.operation || e.action, e.bucket, e.key, e.target, e.status, e.error]
      .filter((x) => x !== undefined && x !== "")
      .join("  ");
  } catch {
    summary = "(not JSON)";
  }
  return h(
    "details",
    { class: "entry", dataset: { index: String(index) } },
    h("summary", {}, `#${index}  ${summary}`),
    h("pre", {}, text),
  );
}

export async function logView() {
  const key = await session.client.logText("/key");
  const section = h(
    "section",
    {},
    h("h2", {}, "Transparency log"),
    h("p", {}, "The log's verifier key, to pin once and keep:"),
    h("pre", { id: "log-key" }, key),
  );
  let note;
  try {
    note = await session.client.logText("/checkpoint");
  } catch (e) {
    // A new log's first checkpoint comes within a second of its first entry.
    if (e instanceof ApiError && e.code === "NoSuchKey") {
      section.append(h("p", { id: "no-checkpoint", class: "muted" }, "No checkpoint yet."));
      return section;
    }
    throw e;
  }
  const cp = parseCheckpoint(note);
  const entries = await latestEntries(cp);
  section.append(
    h("p", {}, `Log ${cp.origin}: ${cp.size} entries. The latest signed checkpoint:`),
    h("pre", { id: "checkpoint" }, note),
    // The verifier key is "<name>+<hash>+<key>".
    h("p", { id: "signers" }, describeSigners(cp, key.trim().split("+")[0])),
    h(
      "p",
      { class: "muted" },
      "This page shows the log. To prove it complete and never rewritten, verify it where you trust the code: " +
        "confiance log tail --once --key-file KEY (exports and checks every entry) and confiance log verify.",
    ),
    h("h3", {}, `The latest ${entries.length} entries, newest first`),
    h("div", { id: "entries" }, entries.map(entryNode)),
  );
  return section;
}
