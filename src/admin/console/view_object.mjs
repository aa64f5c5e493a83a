// One object: what HEAD says, its tags and its versions.

import { act, breadcrumb, factRows, h, headerRow, humanSize, session, showError, startDownload } from "./ui.mjs";

// What HEAD says about the object, in the order a reader wants it.
function objectFacts(head) {
  const facts = [
    ["Size", head["content-length"] !== undefined ? humanSize(Number(head["content-length"])) : ""],
    ["Content-Type", head["content-type"]],
    ["ETag", head["etag"]],
    ["Last modified", head["last-modified"]],
    ["Version", head["x-amz-version-id"]],
    ["Encryption", head["x-amz-server-side-encryption"]],
    [
      "Object lock",
      head["x-amz-object-lock-mode"]
        ? `${head["x-amz-object-lock-mode"]} until ${head["x-amz-object-lock-retain-until-date"]}`
        : "",
    ],
    ["Legal hold", head["x-amz-object-lock-legal-hold"]],
    ["Cache-Control", head["cache-control"]],
    ["Content-Disposition", head["content-disposition"]],
    ["Content-Encoding", head["content-encoding"]],
  ];
  for (const [name, value] of Object.entries(head)) {
    if (name.startsWith("x-amz-meta-")) facts.push([`Metadata ${name.slice("x-amz-meta-".length)}`, value]);
  }
  return facts.filter(([, v]) => v !== undefined && v !== "");
}

export async function objectView({ bucket, key }) {
  const versions = await session.client.objectVersions(bucket, key);
  const current = versions.find((v) => v.latest);
  const section = h("section", {}, h("h2", { id: "object-crumbs" }, breadcrumb(bucket, key)));
  if (current && current.deleteMarker) {
    section.append(h("p", { id: "deleted", class: "muted" }, "Deleted: the latest version is a delete marker."));
  } else {
    const head = await session.client.headObject(bucket, key);
    section.append(
      h("table", { id: "object-facts" }, factRows(objectFacts(head))),
      h(
        "p",
        {},
        h(
          "button",
          { id: "object-download", type: "button", onclick: () => startDownload(bucket, key).catch(showError) },
          "Download",
        ),
        " ",
        h(
          "button",
          {
            id: "object-delete",
            class: "danger",
            type: "button",
            onclick: () => {
              if (confirm(`Delete ${key}?`)) act(`Deleting ${key}`, () => session.client.deleteObject(bucket, key));
            },
          },
          "Delete",
        ),
      ),
    );

    // Tags: edited in place, saved whole (S3 replaces the set).
    const tags = await session.client.objectTags(bucket, key);
    const tagRows = h("div", { id: "tag-rows" });
    const addRow = (t = { key: "", value: "" }) =>
      tagRows.append(
        h(
          "p",
          { class: "tag" },
          h("input", { class: "tag-key", placeholder: "key", value: t.key }),
          " = ",
          h("input", { class: "tag-value", placeholder: "value", value: t.value }),
        ),
      );
    tags.forEach(addRow);
    const tagForm = h(
      "form",
      { id: "tags", class: "login" },
      h("h3", {}, "Tags"),
      tagRows,
      h("button", { id: "tag-add", type: "button", onclick: () => addRow() }, "Add a tag"),
      h("button", { type: "submit" }, "Save tags"),
    );
    tagForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const set = Array.from(tagRows.querySelectorAll("p.tag"), (p) => ({
        key: p.querySelector(".tag-key").value.trim(),
        value: p.querySelector(".tag-value").value,
      })).filter((t) => t.key !== "");
      act("Saving tags", () => session.client.putObjectTags(bucket, key, set));
    });
    section.append(tagForm);
  }

  // Versions: download any, make an older one current again, or delete
  // one for good.
  const row = (v) =>
    h(
      "tr",
      { dataset: { version: v.versionId } },
      h("td", {}, v.versionId),
      h("td", { class: "kind" }, v.deleteMarker ? "delete marker" : v.latest ? "current" : "older"),
      h("td", { class: "num" }, v.deleteMarker ? "" : humanSize(v.size)),
      h("td", {}, v.modified),
      h(
        "td",
        {},
        v.deleteMarker
          ? null
          : h(
              "button",
              {
                class: "download",
                type: "button",
                onclick: () => startDownload(bucket, key, v.versionId).catch(showError),
              },
              "Download",
            ),
        " ",
        v.deleteMarker || v.latest
          ? null
          : h(
              "button",
              {
                class: "restore",
                type: "button",
                onclick: () =>
                  act(`Restoring version ${v.versionId}`, () =>
                    session.client.restoreVersion(bucket, key, v.versionId),
                  ),
              },
              "Make current",
            ),
        " ",
        h(
          "button",
          {
            class: "delete-version danger",
            type: "button",
            onclick: () => {
              if (confirm(`Delete version ${v.versionId} of ${key} for good?`)) {
                act(`Deleting version ${v.versionId}`, () => session.client.deleteObject(bucket, key, v.versionId));
              }
            },
          },
          "Delete version",
        ),
      ),
    );
  section.append(
    h("h3", {}, "Versions"),
    h("table", { id: "versions" }, headerRow("Version", "", "Size", "Modified", ""), versions.map(row)),
  );
  return section;
}
