// One folder of a bucket: its sub-folders and objects, page by page, with upload, download and deletion.

import {
  act,
  breadcrumb,
  h,
  headerRow,
  humanSize,
  objectHash,
  objectsHash,
  session,
  showError,
  startDownload,
  status,
  whileBusy,
} from "./ui.mjs";

export async function objectsView({ bucket, prefix }) {
  const first = await session.client.listObjects(bucket, prefix);
  const table = h("table", { id: "objects" }, headerRow("Name", "Size", "Modified", ""));
  const more = h("button", { id: "more", type: "button", hidden: true }, "More");

  const addPage = (page) => {
    for (const folder of page.folders) {
      table.append(
        h(
          "tr",
          { dataset: { prefix: folder } },
          h("td", {}, h("a", { href: objectsHash(bucket, folder) }, folder.slice(prefix.length))),
          h("td"),
          h("td"),
          h("td"),
        ),
      );
    }
    for (const o of page.objects) {
      const download = h("a", { class: "download", href: "#", title: "download" }, "Download");
      download.addEventListener("click", (ev) => {
        ev.preventDefault();
        startDownload(bucket, o.key).catch(showError);
      });
      const del = h(
        "button",
        {
          class: "delete danger",
          type: "button",
          onclick: () => {
            if (confirm(`Delete ${o.key}?`)) act(`Deleting ${o.key}`, () => session.client.deleteObject(bucket, o.key));
          },
        },
        "Delete",
      );
      table.append(
        h(
          "tr",
          { dataset: { key: o.key } },
          h("td", { class: "key" }, h("a", { href: objectHash(bucket, o.key) }, o.key.slice(prefix.length))),
          h("td", { class: "num" }, humanSize(o.size)),
          h("td", {}, o.modified),
          h("td", {}, download, " ", del),
        ),
      );
    }
    more.hidden = !page.next;
    more.dataset.token = page.next;
  };
  addPage(first);
  more.addEventListener("click", () =>
    whileBusy(async () => {
      try {
        addPage(await session.client.listObjects(bucket, prefix, more.dataset.token));
      } catch (e) {
        showError(e);
      }
    }),
  );

  const file = h("input", { id: "file", type: "file", multiple: true });
  const upload = h("form", { id: "upload" }, h("label", {}, `Upload to ${prefix || "/"} `, file));
  file.addEventListener("change", () => {
    const files = Array.from(file.files);
    act(`Uploading ${files.length} file(s)`, async () => {
      for (const f of files) {
        await session.client.putObject(bucket, prefix + f.name, f, (done, total) =>
          status(`Uploading ${f.name}: ${humanSize(done)} of ${humanSize(total)}…`),
        );
      }
    });
  });

  const empty = first.folders.length === 0 && first.objects.length === 0;
  return h(
    "section",
    {},
    h("h2", { id: "breadcrumb" }, breadcrumb(bucket, prefix)),
    h("p", {}, h("a", { id: "bucket-settings", href: `#/s/${encodeURIComponent(bucket)}` }, "Bucket settings")),
    upload,
    empty ? h("p", { class: "muted" }, "Empty.") : table,
    more,
  );
}
