"""The web console (/_confiance/console/, docs/console.md), end to end: the
real server and a real browser (Debian's chromium, driven by Selenium
through chromedriver), the page signing every request itself. Every
action is checked against what boto3, the CLI or the disk say, not
against the page alone.

  - the files: served to anyone, byte-identical to src/admin/console/,
    locked down (CSP, nosniff, no framing), 404 outside the embedded set,
    405 for writes, 404 with --no-console; the idle sign-out;
  - a tenant's session: a wrong secret refused with the server's code;
    buckets; uploads (a Unicode name, a folder, an 80 MiB file in parts)
    read back with boto3; a key that is HTML shown as text, never run;
    download through a presigned link; delete; nothing left in the
    browser's storage after signing out;
  - an object's facts, tags and versions; bucket settings (versioning, a
    bucket policy, incomplete uploads; residency on a server with pools);
  - users, their keys and policies; a user limited by its policy;
  - the lockbox from both ends: requests asked, approved, revoked,
    withdrawn, a break-glass request co-signed;
  - an operator's tenants; the tenant key's justifications, rotation and
    destruction with a receipt that verifies offline;
  - the transparency log view: the signed checkpoint and the latest
    entries, the console's own requests among them;
  - every request the console made is in the tenant's log exactly once
    (read offline from the stopped server's data directory), fetching its
    files is in no log, and the browser reported no script error or
    policy violation."""

import base64
import hashlib
import json
import os
import re
import subprocess
import time

import pytest
import requests

from cryptography.hazmat.primitives import serialization

from adminutil import AdminServer, OPERATOR, admin_request, cli, export_log, s3, s3_code
from conftest import unique_bucket
import tlsutil

selenium = pytest.importorskip("selenium", reason="python3-selenium (scripts/install-deps.sh)")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CONSOLE_SRC = os.path.join(HERE, "..", "..", "src", "admin", "console")
ACME_ROOT = ("ACMECONSOLEROOTKEY01", "acme-console-root-secret-0123456789")
OPS2 = ("CONSOLEOPERATORKEY02", "console/operator2/test/secret012345")
READER = ("ACMECONSOLEREADER001", "acme-console-reader-secret-0123456789")
READ_ONLY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetObject"], "Resource": "*"}]})
CONSOLE = "/_confiance/console/"
WAIT = 20  # seconds for the page to reach a state


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = AdminServer(str(tmp_path_factory.mktemp("console")))
    s.start()
    cli(s, "tenant", "create", "acme", "--access-key", ACME_ROOT[0], "--secret-key", ACME_ROOT[1])
    yield s
    s.stop_clean()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return str(tmp_path_factory.mktemp("downloads"))


@pytest.fixture(scope="module")
def browser(downloads):
    driver = start_browser(downloads=downloads)
    yield driver
    driver.quit()


def start_browser(*args, downloads=None):
    """Headless chromium with the extra command-line flags `args`, saving
    downloads in `downloads` if given; its `browser_log` collects the
    browser's log (collect_log). The caller quits it."""
    for path in ("/usr/bin/chromium", "/usr/bin/chromedriver"):
        assert os.access(path, os.X_OK), "%s missing: install chromium and chromium-driver" % path
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    # --no-sandbox: CI runs as root, where chromium's sandbox cannot start.
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--window-size=1280,1000") + args:
        options.add_argument(arg)
    if downloads:
        options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                                  "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(WAIT)
    driver.browser_log = []
    return driver


# ------------------------------------------------------------ page helpers

def idle(driver):
    """No action or drawing under way in the page (<body data-busy>)."""
    return driver.execute_script("return !('busy' in document.body.dataset)")


def wait_for(driver, what, cond, timeout=WAIT):
    """Waits until the page is idle and cond(driver) is truthy, failing
    with `what` and the page's error banner."""
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.05,
                             ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(
                                 lambda d: idle(d) and cond(d))
    except Exception:
        banner = driver.find_element(By.ID, "error").text
        raise AssertionError("%s: not reached; error banner %r; page:\n%s" %
                             (what, banner, driver.find_element(By.ID, "main").text[:2000]))


def click(driver, css):
    """Clicks the element once the page is idle (a redraw replaces
    elements: a stale one is looked up again)."""
    wait_for(driver, "click " + css, lambda d: d.find_element(By.CSS_SELECTOR, css).click() or True)


def collect_log(driver):
    driver.browser_log.extend(driver.get_log("browser"))


def rows(driver, table_id, attr):
    """The `attr` of each row of the table, read in one script (the page
    may redraw between two WebDriver calls)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]), r => r.getAttribute(arguments[1]))",
        "#%s tr[%s]" % (table_id, attr), attr)


def sign_in(driver, srv, creds):
    driver.get(srv.endpoint + CONSOLE)
    wait_for(driver, "login form", lambda d: d.find_elements(By.ID, "access-key"))
    driver.find_element(By.ID, "access-key").send_keys(creds[0])
    driver.find_element(By.ID, "secret-key").send_keys(creds[1])
    click(driver, "#sign-in")


def sign_out(driver):
    collect_log(driver)
    click(driver, "#sign-out")
    wait_for(driver, "signed out", lambda d: d.find_elements(By.ID, "login"))


def navigate(driver, fragment):
    """Moves inside the page (hash change) so the session stays."""
    driver.execute_script("location.hash = arguments[0]", fragment)


def accept_confirm(driver):
    WebDriverWait(driver, WAIT).until(lambda d: _alert(d))
    driver.switch_to.alert.accept()


def _alert(driver):
    try:
        return driver.switch_to.alert
    except Exception:
        return None


# ------------------------------------------------------------------- tests

def test_files_are_served_locked_down(srv):
    r = requests.get(srv.endpoint + "/_confiance/console", allow_redirects=False, timeout=10)
    assert r.status_code == 301 and r.headers["Location"] == CONSOLE, r.headers
    for name, ctype in (("index.html", "text/html"), ("app.mjs", "text/javascript"),
                        ("sigv4.mjs", "text/javascript"), ("console.css", "text/css")):
        r = requests.get(srv.endpoint + CONSOLE + name, timeout=10)
        assert r.status_code == 200, (name, r.status_code)
        assert r.headers["Content-Type"].startswith(ctype), (name, r.headers)
        with open(os.path.join(CONSOLE_SRC, name), "rb") as f:
            assert r.content == f.read(), "%s differs from the source file" % name
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "default-src 'none'" in csp, csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"
        etag = r.headers["ETag"]
        again = requests.get(srv.endpoint + CONSOLE + name, headers={"If-None-Match": etag}, timeout=10)
        assert again.status_code == 304 and again.content == b"", (name, again.status_code)
    assert requests.get(srv.endpoint + CONSOLE, timeout=10).content.startswith(b"<!doctype html>")
    assert requests.get(srv.endpoint + CONSOLE + "config.json", timeout=10).json() == {
        "region": "us-east-1", "idle_timeout_s": 1800}
    for name in ("nope.js", "sigv4_test.mjs", "..%2fadmin_api.cc", "%2e%2e/%2e%2e/CMakeLists.txt"):
        assert requests.get(srv.endpoint + CONSOLE + name, timeout=10).status_code == 404, name
    for method in ("PUT", "POST", "DELETE"):
        r = requests.request(method, srv.endpoint + CONSOLE + "app.mjs", data=b"x", timeout=10)
        assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD", (method, r.status_code)


def test_no_console_flag_turns_it_off(tmp_path):
    off = AdminServer(str(tmp_path), extra_args=["--no-console"])
    off.start()
    try:
        r = requests.get(off.endpoint + CONSOLE + "index.html", timeout=10)
        assert r.status_code == 404, (r.status_code, r.text)
        assert b"<!doctype html>" not in r.content and b"<Code>NoSuchBucket</Code>" in r.content, r.content
        # The APIs the console uses stay.
        who = admin_request(off, "GET", "/whoami")
        assert who.status == 200 and json.loads(who.body)["kind"] == "operator", who.body
        bucket = unique_bucket("noconsole")
        root = s3(off, (off.access_key, off.secret_key))
        root.create_bucket(Bucket=bucket)
        assert bucket in [b["Name"] for b in root.list_buckets()["Buckets"]]
    finally:
        off.stop_clean()


def test_idle_page_signs_out(browser, tmp_path):
    short = AdminServer(str(tmp_path), extra_args=["--console-idle-timeout", "2"])
    short.start()
    try:
        sign_in(browser, short, OPERATOR)
        wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "operator operator")
        started = time.monotonic()
        wait_for(browser, "signed out", lambda d: d.find_elements(By.ID, "login"), timeout=10)
        assert time.monotonic() - started >= 1.0  # not at once
        assert browser.find_element(By.ID, "status").text == "Signed out after 2 s without activity."
        assert not browser.find_element(By.ID, "nav").is_displayed()
        assert browser.find_element(By.ID, "who").text == ""
        collect_log(browser)
    finally:
        short.stop_clean()


def test_over_https_and_refused_on_an_insecure_origin(tmp_path):
    # HTTPS on the server's own listener: the browser trusts the
    # certificate's key (pinned by its SPKI hash, as a managed browser
    # trusts an internal CA), and the page works.
    pki = tlsutil.Pki(str(tmp_path))
    cert = pki.issue("127.0.0.1", str(tmp_path / "cert.pem"), str(tmp_path / "key.pem"))
    spki = base64.b64encode(hashlib.sha256(cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).digest()).decode()
    tls = AdminServer(str(tmp_path), extra_args=["--tls-cert", str(tmp_path / "cert.pem"),
                                                 "--tls-key", str(tmp_path / "key.pem")])
    tls.tls_ca = pki.ca_file
    tls.start()
    driver = start_browser("--ignore-certificate-errors-spki-list=" + spki,
                           "--host-resolver-rules=MAP confiance.test 127.0.0.1")
    try:
        assert tls.endpoint.startswith("https://")
        sign_in(driver, tls, OPERATOR)
        wait_for(driver, "signed in over https", lambda d: d.find_element(By.ID, "who").text == "operator operator")
        assert driver.execute_script("return window.isSecureContext") is True
        sign_out(driver)
    finally:
        tls.stop_clean()

    # Plain HTTP under a name that is not the loopback's: no Web Crypto,
    # so no signing, and the page says why (the name resolves to
    # 127.0.0.1 inside the browser only).
    (tmp_path / "plain").mkdir()
    plain = AdminServer(str(tmp_path / "plain"))
    plain.start()
    try:
        driver.get("http://confiance.test:%d%s" % (plain.port, CONSOLE))
        wait_for(driver, "login form", lambda d: d.find_elements(By.ID, "access-key"))
        assert driver.execute_script("return window.isSecureContext") is False
        driver.find_element(By.ID, "access-key").send_keys(OPERATOR[0])
        driver.find_element(By.ID, "secret-key").send_keys(OPERATOR[1])
        click(driver, "#sign-in")
        wait_for(driver, "refusal", lambda d: "needs Web Crypto: open it over https:// or on localhost" in
                 d.find_element(By.ID, "error").text)
        assert not driver.find_element(By.ID, "nav").is_displayed()
    finally:
        driver.quit()
        plain.stop_clean()


def test_wrong_secret_is_refused_with_the_servers_code(srv, browser):
    sign_in(browser, srv, (ACME_ROOT[0], "not-the-secret"))
    wait_for(browser, "error banner", lambda d: "SignatureDoesNotMatch" in d.find_element(By.ID, "error").text)
    assert not browser.find_element(By.ID, "nav").is_displayed()
    assert browser.find_elements(By.ID, "login")
    # The secret field is cleared after each attempt.
    assert browser.find_element(By.ID, "secret-key").get_attribute("value") == ""
    collect_log(browser)


def test_tenant_session(srv, browser, downloads):
    acme = s3(srv, ACME_ROOT)
    bucket = unique_bucket("console")
    sign_in(browser, srv, ACME_ROOT)
    wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "tenant acme (root)")
    wait_for(browser, "bucket form", lambda d: d.find_elements(By.ID, "bucket-name"))
    assert browser.find_element(By.ID, "usage").text.startswith("Tenant acme: "), browser.find_element(By.ID, "usage").text
    assert not browser.find_element(By.ID, "nav-tenants").is_displayed()

    # Create a bucket.
    browser.find_element(By.ID, "bucket-name").send_keys(bucket)
    click(browser, "#create-bucket button")
    wait_for(browser, "bucket listed", lambda d: bucket in rows(d, "buckets", "data-bucket"))
    acme.head_bucket(Bucket=bucket)
    # A name S3 refuses: the server's code, and no bucket.
    browser.find_element(By.ID, "bucket-name").send_keys("Not_A_Bucket")
    click(browser, "#create-bucket button")
    wait_for(browser, "refused", lambda d: d.find_element(By.ID, "error").text.startswith("InvalidBucketName"))
    assert "Not_A_Bucket" not in [b["Name"] for b in acme.list_buckets()["Buckets"]]

    # Upload two files, one with a name that needs encoding.
    plain = os.urandom(300 * 1024)
    names = {"report.bin": plain, "rapport été 2026 (v2)+final.txt": "ligne 1\nligne 2\n".encode() * 1000}
    paths = []
    for name, body in names.items():
        path = os.path.join(downloads, "..", "upload-" + name)
        with open(path, "wb") as f:
            f.write(body)
        paths.append(os.path.abspath(path))
    navigate(browser, "#/b/%s/" % bucket)
    wait_for(browser, "upload form", lambda d: d.find_elements(By.ID, "file"))
    browser.find_element(By.ID, "file").send_keys("\n".join(paths))
    wait_for(browser, "uploads listed",
             lambda d: sorted(rows(d, "objects", "data-key")) == sorted("upload-" + n for n in names))
    for name, body in names.items():
        got = acme.get_object(Bucket=bucket, Key="upload-" + name)
        assert got["Body"].read() == body, name
    assert acme.head_object(Bucket=bucket, Key="upload-" + list(names)[1])["ContentType"] == "text/plain"

    # A file above the console's multipart threshold (64 MiB) goes up in
    # 16 MiB parts, streamed from disk.
    big = os.path.abspath(os.path.join(downloads, "..", "upload-big.bin"))
    digest = hashlib.sha256()
    with open(big, "wb") as f:
        for _ in range(5):
            chunk = os.urandom(16 * 1024 * 1024 + 12345)
            digest.update(chunk)
            f.write(chunk)
    browser.find_element(By.ID, "file").send_keys(big)
    wait_for(browser, "big upload listed", lambda d: "upload-big.bin" in rows(d, "objects", "data-key"), timeout=120)
    head = acme.head_object(Bucket=bucket, Key="upload-big.bin")
    assert head["ETag"].endswith('-6"') and head["ContentLength"] == os.path.getsize(big), head
    got = hashlib.sha256()
    for chunk in acme.get_object(Bucket=bucket, Key="upload-big.bin")["Body"].iter_chunks(1 << 20):
        got.update(chunk)
    assert got.digest() == digest.digest()
    assert acme.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    acme.delete_object(Bucket=bucket, Key="upload-big.bin")
    os.unlink(big)

    # Folders: a prefix is a row that opens it.
    acme.put_object(Bucket=bucket, Key="docs/2026/a.txt", Body=b"in a folder")
    # A key that is markup is shown as text and never runs.
    evil = '<img src=x onerror="window.__pwned=1">.txt'
    acme.put_object(Bucket=bucket, Key=evil, Body=b"x")
    browser.refresh()  # a reload forgets the credentials: sign in again
    sign_in(browser, srv, ACME_ROOT)
    wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "tenant acme (root)")
    navigate(browser, "#/b/%s/" % bucket)
    wait_for(browser, "folder and markup key listed",
             lambda d: "docs/" in rows(d, "objects", "data-prefix") and evil in rows(d, "objects", "data-key"))
    cell = browser.find_element(By.CSS_SELECTOR, "#objects tr[data-key='%s'] td.key" % evil.replace("'", "\\'"))
    assert cell.text == evil
    assert browser.find_elements(By.CSS_SELECTOR, "#objects img") == []
    assert browser.execute_script("return window.__pwned === undefined")
    click(browser, "#objects tr[data-prefix='docs/'] a")
    wait_for(browser, "folder opened", lambda d: d.find_elements(By.CSS_SELECTOR, "#objects tr[data-prefix='docs/2026/']"))
    assert "docs" in browser.find_element(By.ID, "breadcrumb").text
    navigate(browser, "#/b/%s/" % bucket)
    wait_for(browser, "bucket root", lambda d: "upload-report.bin" in rows(d, "objects", "data-key"))

    # Download through the presigned link: the bytes, saved as a file.
    before = set(os.listdir(downloads))
    click(browser, "#objects tr[data-key='upload-report.bin'] a.download")
    target = os.path.join(downloads, "upload-report.bin")
    deadline = time.monotonic() + WAIT
    while not (os.path.exists(target) and os.path.getsize(target) == len(plain)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert set(os.listdir(downloads)) - before == {"upload-report.bin"}, os.listdir(downloads)
    with open(target, "rb") as f:
        assert hashlib.sha256(f.read()).digest() == hashlib.sha256(plain).digest()

    # Delete an object (after the confirmation).
    click(browser, "#objects tr[data-key='upload-report.bin'] button.delete")
    accept_confirm(browser)
    wait_for(browser, "object gone", lambda d: "upload-report.bin" not in rows(d, "objects", "data-key"))
    assert "Contents" not in acme.list_objects_v2(Bucket=bucket, Prefix="upload-report.bin")

    # The transparency log view: checkpoint, key, and the console's upload
    # among the entries once a checkpoint covers it (at least every second).
    key_name = "upload-" + list(names)[1]
    deadline = time.monotonic() + WAIT
    while True:
        navigate(browser, "#/buckets")
        wait_for(browser, "buckets", lambda d: d.find_elements(By.ID, "buckets"))
        navigate(browser, "#/log")
        wait_for(browser, "log view", lambda d: d.find_elements(By.ID, "entries"))
        texts = [e.get_attribute("textContent") for e in browser.find_elements(By.CSS_SELECTOR, "#entries pre")]
        events = [json.loads(t) for t in texts]
        if any(e.get("operation") == "DeleteObject" and e.get("key") == "upload-report.bin" for e in events):
            break
        assert time.monotonic() < deadline, "the log view never showed the console's DeleteObject"
        time.sleep(0.3)
    checkpoint = browser.find_element(By.ID, "checkpoint").text
    assert checkpoint.splitlines()[0].endswith("acme"), checkpoint
    assert "\u2014 " in checkpoint  # signed
    # Who signed it: the log's key (no witness in this test).
    log_key_name = browser.find_element(By.ID, "log-key").text.strip().split("+")[0]
    assert browser.find_element(By.ID, "signers").text == \
        "Signed by the log (%s); not cosigned by any witness." % log_key_name
    assert any(e.get("operation") == "PutObject" and e.get("key") == key_name for e in events)
    assert requests.get(srv.endpoint + "/_confiance/log/v1/key", timeout=10).status_code == 403  # needs a signature
    assert browser.find_element(By.ID, "log-key").text.strip()

    sign_out(browser)
    assert browser.execute_script("return [localStorage.length, sessionStorage.length, document.cookie]") == [0, 0, ""]
    assert browser.find_element(By.ID, "secret-key").get_attribute("value") == ""


def test_operator_access_approved_in_the_console(srv, browser):
    acme = s3(srv, ACME_ROOT)
    bucket = unique_bucket("lockbox")
    acme.create_bucket(Bucket=bucket)
    acme.put_object(Bucket=bucket, Key="case/1.txt", Body=b"evidence")
    req = cli(srv, "--json", "access", "request", "--tenant", "acme", "--bucket", bucket, "--prefix", "case/",
              "--operation", "read", "--reason", "support case <b>4711</b>", "--category", "support_case",
              "--duration", "600").json()

    sign_in(browser, srv, ACME_ROOT)
    wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "tenant acme (root)")
    navigate(browser, "#/access")
    wait_for(browser, "request listed", lambda d: req["id"] in rows(d, "access-requests", "data-id"))
    row = "#access-requests tr[data-id='%s']" % req["id"]
    assert browser.find_element(By.CSS_SELECTOR, row + " td.reason").text == "support case <b>4711</b>"
    assert browser.find_element(By.CSS_SELECTOR, row + " td.state").text == "pending"
    click(browser, row + " button.approve")
    accept_confirm(browser)
    wait_for(browser, "approved", lambda d: d.find_element(By.CSS_SELECTOR, row + " td.state").text.startswith(
        "approved until"))

    listed = cli(srv, "--json", "access", "list", creds=ACME_ROOT).json()["access_requests"]
    decided = [r for r in listed if r["id"] == req["id"]][0]
    assert decided["state"] == "approved" and decided["decided_by"] == "tenant:acme/root", decided
    ops = s3(srv, OPERATOR)
    assert ops.get_object(Bucket=bucket, Key="case/1.txt")["Body"].read() == b"evidence"

    # Revoke it again from the console: the operator is refused at once.
    click(browser, row + " button.revoke")
    accept_confirm(browser)
    wait_for(browser, "revoked", lambda d: d.find_element(By.CSS_SELECTOR, row + " td.state").text == "revoked")
    resp = srv.request("GET", "/%s/case/1.txt" % bucket, access_key=OPERATOR[0], secret_key=OPERATOR[1])
    assert resp.status == 403, resp.status
    sign_out(browser)


def test_operator_session(srv, browser):
    """Access requests asked, withdrawn and co-signed; tenants managed; the
    operator log."""
    sign_in(browser, srv, OPERATOR)
    wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "operator operator")
    assert not browser.find_element(By.ID, "nav-keys").is_displayed()
    navigate(browser, "#/access")
    wait_for(browser, "request form", lambda d: d.find_elements(By.ID, "request-access"))
    before = set(rows(browser, "access-requests", "data-id"))

    def ask(bucket, operation, category, reason):
        browser.find_element(By.ID, "ar-tenant").send_keys("acme")
        browser.find_element(By.ID, "ar-buckets").send_keys(bucket)
        for box in browser.find_elements(By.CSS_SELECTOR, "#request-access input[type=checkbox]"):
            if box.is_selected() != (box.get_attribute("name") == operation):
                box.click()
        Select(browser.find_element(By.ID, "ar-category")).select_by_value(category)
        browser.find_element(By.ID, "ar-duration").clear()
        browser.find_element(By.ID, "ar-duration").send_keys("60")
        browser.find_element(By.ID, "ar-reason").send_keys(reason)
        click(browser, "#request-access button")
        new = wait_for(browser, "request listed",
                       lambda d: set(rows(d, "access-requests", "data-id")) - before)
        before.update(new)
        (rid,) = new
        return cli(srv, "--json", "access", "show", rid).json()

    # A request asked in the console is the request the API records.
    req = ask("*", "list", "support_case", "capacity review")
    assert (req["tenant"], req["buckets"], req["operations"], req["category"], req["reason"],
            req["duration_seconds"], req["state"]) == ("acme", ["*"], ["list"], "support_case",
                                                       "capacity review", 60, "pending"), req
    # An operator is offered no decision, only withdrawing its own request.
    assert browser.find_elements(By.CSS_SELECTOR, "#access-requests button.approve") == []
    assert browser.find_elements(By.CSS_SELECTOR, "#access-requests button.deny") == []
    row = "#access-requests tr[data-id='%s']" % req["id"]
    click(browser, row + " button.cancel")
    accept_confirm(browser)
    wait_for(browser, "cancelled", lambda d: d.find_element(By.CSS_SELECTOR, row + " td.state").text == "revoked")
    assert cli(srv, "--json", "access", "show", req["id"]).json()["state"] == "revoked"

    # Break-glass: asked by one operator, opened by a second one's
    # co-signature in the console.
    bg = ask("*", "read", "break_glass", "datacenter fire, restore service")
    assert bg["state"] == "pending" and bg["signers"] == ["operator"] and bg["quorum"] == 2, bg
    bg_row = "#access-requests tr[data-id='%s']" % bg["id"]
    assert browser.find_elements(By.CSS_SELECTOR, bg_row + " button.cosign") == []  # not twice
    sign_out(browser)
    cli(srv, "operator", "create", "ops2", "--access-key", OPS2[0], "--secret-key", OPS2[1])
    sign_in(browser, srv, OPS2)
    wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "operator ops2")
    navigate(browser, "#/access")
    wait_for(browser, "break-glass listed", lambda d: d.find_elements(By.CSS_SELECTOR, bg_row + " button.cosign"))
    click(browser, bg_row + " button.cosign")
    accept_confirm(browser)
    wait_for(browser, "opened", lambda d: d.find_element(By.CSS_SELECTOR, bg_row + " td.state").text.startswith(
        "approved until"))
    opened = cli(srv, "--json", "access", "show", bg["id"]).json()
    assert opened["state"] == "approved" and opened["signers"] == ["operator", "ops2"], opened
    sign_out(browser)
    sign_in(browser, srv, OPERATOR)
    wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "operator operator")

    # Tenants: create one (its root's secret shown once), suspend, resume,
    # delete (refused while it owns a bucket).
    assert browser.find_element(By.ID, "nav-tenants").is_displayed()
    click(browser, "#nav-tenants")
    wait_for(browser, "tenants", lambda d: "acme" in rows(d, "tenants", "data-tenant"))
    browser.find_element(By.ID, "tenant-id").send_keys("newco")
    browser.find_element(By.ID, "tenant-name").send_keys("New Co <SAS>")
    browser.find_element(By.ID, "tenant-max-gib").send_keys("2")
    browser.find_element(By.ID, "tenant-max-buckets").send_keys("3")
    click(browser, "#create-tenant button")
    wait_for(browser, "credentials shown", lambda d: d.find_elements(By.CSS_SELECTOR, "#new-credentials pre"))
    shown = browser.find_element(By.CSS_SELECTOR, "#new-credentials pre").text
    creds = tuple(line.split(": ", 1)[1] for line in shown.splitlines())
    newco = s3(srv, creds)
    newco.create_bucket(Bucket=unique_bucket("newco"))
    show = cli(srv, "--json", "tenant", "show", "newco").json()
    assert show["display_name"] == "New Co <SAS>" and show["quotas"]["max_bytes"] == 2 * 1024 ** 3, show
    assert show["quotas"]["max_buckets"] == 3, show
    navigate(browser, "#/buckets")
    navigate(browser, "#/tenants")
    cell = "#tenants tr[data-tenant='newco'] td"
    wait_for(browser, "usage", lambda d: [c.text for c in d.find_elements(By.CSS_SELECTOR, cell)][2:4] == [
        "active", "1 of 3"])
    # Rate limits: an empty field keeps its limit, 0 lifts one.
    Select(browser.find_element(By.ID, "rl-tenant")).select_by_value("newco")
    browser.find_element(By.ID, "rl-read-ops").send_keys("50")
    browser.find_element(By.ID, "rl-write-mib").send_keys("2")
    click(browser, "#rate-limits button")
    wait_for(browser, "rate limits", lambda d: d.find_element(By.CSS_SELECTOR, cell + ".rate-limits").text ==
             "reads 50/s; writes 2.0 MiB/s")
    limits = cli(srv, "--json", "tenant", "show", "newco").json()["rate_limits"]
    assert limits == {"read_ops_per_second": 50, "write_ops_per_second": 0, "read_bytes_per_second": 0,
                      "write_bytes_per_second": 2 * 1024 ** 2}, limits
    Select(browser.find_element(By.ID, "rl-tenant")).select_by_value("newco")
    browser.find_element(By.ID, "rl-read-ops").send_keys("0")
    click(browser, "#rate-limits button")
    wait_for(browser, "read limit lifted", lambda d: d.find_element(By.CSS_SELECTOR, cell + ".rate-limits").text ==
             "reads unlimited; writes 2.0 MiB/s")
    click(browser, "#tenants tr[data-tenant='newco'] button.suspend")
    accept_confirm(browser)
    wait_for(browser, "suspended", lambda d: d.find_element(By.CSS_SELECTOR, cell + ".status").text == "suspended")
    resp = srv.request("GET", "/", access_key=creds[0], secret_key=creds[1])
    assert resp.status == 403 and b"AllAccessDisabled" in resp.body, resp.body
    click(browser, "#tenants tr[data-tenant='newco'] button.resume")
    wait_for(browser, "resumed", lambda d: d.find_element(By.CSS_SELECTOR, cell + ".status").text == "active")
    assert len(newco.list_buckets()["Buckets"]) == 1
    click(browser, "#tenants tr[data-tenant='newco'] button.delete")
    accept_confirm(browser)
    wait_for(browser, "refused", lambda d: d.find_element(By.ID, "error").text.startswith("TenantNotEmpty"))
    for b in newco.list_buckets()["Buckets"]:
        newco.delete_bucket(Bucket=b["Name"])
    click(browser, "#tenants tr[data-tenant='newco'] button.delete")
    accept_confirm(browser)
    wait_for(browser, "deleted", lambda d: "newco" not in rows(d, "tenants", "data-tenant"))
    assert cli(srv, "tenant", "show", "newco", expect=None).rc != 0

    navigate(browser, "#/log")
    wait_for(browser, "operator log", lambda d: d.find_elements(By.ID, "checkpoint"))
    origin = browser.find_element(By.ID, "checkpoint").text.splitlines()[0]
    assert "acme" not in origin, origin
    sign_out(browser)


def test_maintenance_scrub_and_backup(srv, browser, tmp_path):
    """An operator runs a scrub and a backup from the console; what it shows
    is what the admin API says; a tenant's root has no such page."""
    acme = s3(srv, ACME_ROOT)
    bucket = unique_bucket("scrubbed")
    acme.create_bucket(Bucket=bucket)
    acme.put_object(Bucket=bucket, Key="checked.bin", Body=os.urandom(300 * 1024))
    sign_in(browser, srv, OPERATOR)
    wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "operator operator")
    click(browser, "#nav-maintenance")
    wait_for(browser, "maintenance", lambda d: d.find_elements(By.ID, "scrub"))

    def fact(table, name):
        return browser.execute_script(
            "const c = document.querySelector(`#${arguments[0]} td[data-fact='${arguments[1]}']`);"
            "return c && c.textContent", table, name)

    def until(table, states):
        deadline = time.monotonic() + WAIT
        while fact(table, "State") not in states:
            assert time.monotonic() < deadline, "%s never reached %s: %s" % (table, states, fact(table, "State"))
            time.sleep(0.2)
            click(browser, "#maintenance-refresh")
            wait_for(browser, "redrawn", lambda d: d.find_elements(By.ID, table))
        return fact(table, "State")

    click(browser, "#scrub-start button[type=submit]")
    assert until("scrub", ("done",)) == "done"
    status = cli(srv, "--json", "scrub", "status").json()
    assert status["state"] == "done" and status["started_by"] == "operator operator", status
    assert fact("scrub", "Objects checked") == str(status["objects"]) and status["objects"] > 0, status
    assert fact("scrub", "Damaged objects") == "0"

    target = tmp_path / "console-backup"
    browser.find_element(By.ID, "backup-path").send_keys(str(target))
    click(browser, "#backup-start button[type=submit]")
    assert until("backup", ("done",)) == "done"
    assert fact("backup", "Directory") == str(target)
    assert (target / "BACKUP.json").exists()
    sign_out(browser)

    sign_in(browser, srv, ACME_ROOT)
    wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "tenant acme (root)")
    assert not browser.find_element(By.ID, "nav-maintenance").is_displayed()
    sign_out(browser)


def test_temporary_credentials_from_the_console(srv, browser):
    """A tenant's root gets temporary credentials in the console, narrowed
    by a policy it types; any S3 client then uses them (docs/sts.md)."""
    acme = s3(srv, ACME_ROOT)
    bucket = unique_bucket("handed")
    acme.create_bucket(Bucket=bucket)
    acme.put_object(Bucket=bucket, Key="shared/report.txt", Body=b"for the contractor")
    acme.put_object(Bucket=bucket, Key="private/plan.txt", Body=b"not for the contractor")
    sign_in(browser, srv, ACME_ROOT)
    wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "tenant acme (root)")
    click(browser, "#nav-sessions")
    wait_for(browser, "sessions page", lambda d: d.find_elements(By.ID, "session-form"))

    def get_credentials():
        click(browser, "#session-form button[type=submit]")
        wait_for(browser, "credentials", lambda d: d.find_elements(By.ID, "session-env"))
        env = dict(line.split(" ", 1)[1].split("=", 1)
                   for line in browser.find_element(By.ID, "session-env").text.splitlines())
        assert env["AWS_ENDPOINT_URL"] == srv.endpoint, env
        return srv.client(access_key=env["AWS_ACCESS_KEY_ID"], secret_key=env["AWS_SECRET_ACCESS_KEY"],
                          session_token=env["AWS_SESSION_TOKEN"])

    duration = browser.find_element(By.ID, "session-duration")
    duration.clear()
    duration.send_keys("900")
    browser.find_element(By.ID, "session-name").send_keys("contractor")
    browser.find_element(By.ID, "session-policy").send_keys(json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                       "Resource": "arn:aws:s3:::%s/shared/*" % bucket}]}))
    narrowed = get_credentials()
    assert narrowed.get_object(Bucket=bucket, Key="shared/report.txt")["Body"].read() == b"for the contractor"
    assert s3_code(narrowed.get_object, Bucket=bucket, Key="private/plan.txt") == (403, "AccessDenied")
    assert s3_code(narrowed.put_object, Bucket=bucket, Key="shared/x", Body=b"x") == (403, "AccessDenied")
    facts = browser.execute_script(
        "return Array.from(document.querySelectorAll('#session-facts td[data-fact]'), c => c.textContent)")
    assert facts[2] == "yours, narrowed by the policy", facts

    # Without a policy: the root's own permissions.
    navigate(browser, "#/buckets")
    click(browser, "#nav-sessions")
    wait_for(browser, "sessions page", lambda d: d.find_elements(By.ID, "session-form"))
    full = get_credentials()
    full.put_object(Bucket=bucket, Key="private/by-session.txt", Body=b"y")
    # A malformed policy: the server's code in the banner, no credentials.
    navigate(browser, "#/buckets")
    click(browser, "#nav-sessions")
    wait_for(browser, "sessions page", lambda d: d.find_elements(By.ID, "session-form"))
    browser.find_element(By.ID, "session-policy").send_keys("{not json")
    click(browser, "#session-form button[type=submit]")
    wait_for(browser, "refusal", lambda d: "MalformedPolicyDocument" in d.find_element(By.ID, "error").text)
    assert not browser.find_elements(By.ID, "session-env")
    sign_out(browser)

    sign_in(browser, srv, OPERATOR)
    wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "operator operator")
    assert not browser.find_element(By.ID, "nav-sessions").is_displayed()
    sign_out(browser)


def test_object_details_tags_and_versions(srv, browser):
    acme = s3(srv, ACME_ROOT)
    bucket = unique_bucket("versions")
    acme.create_bucket(Bucket=bucket)
    acme.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    key = "reports/q3 <draft>.txt"
    v1 = acme.put_object(Bucket=bucket, Key=key, Body=b"first draft", ContentType="text/plain",
                         Metadata={"author": "alice"}, Tagging="stage=draft")["VersionId"]
    v2 = acme.put_object(Bucket=bucket, Key=key, Body=b"second draft, worse", ContentType="text/plain",
                         Metadata={"author": "bob"}, Tagging="stage=review")["VersionId"]

    sign_in(browser, srv, ACME_ROOT)
    wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "tenant acme (root)")
    navigate(browser, "#/b/%s/reports%%2F" % bucket)
    link = "#objects tr[data-key='%s'] td.key a" % key
    wait_for(browser, "object listed", lambda d: d.find_elements(By.CSS_SELECTOR, link))
    click(browser, link)

    def facts():
        return browser.execute_script(
            "const o = {}; document.querySelectorAll('#object-facts td[data-fact]').forEach("
            "c => o[c.dataset.fact] = c.textContent); return o")

    def versions():
        return browser.execute_script(
            "return Array.from(document.querySelectorAll('#versions tr[data-version]'),"
            "r => [r.dataset.version, r.querySelector('td.kind').textContent])")

    wait_for(browser, "details", lambda d: facts().get("Version") == v2)
    f = facts()
    assert f["Content-Type"] == "text/plain" and f["Metadata author"] == "bob" and f["Size"] == "19 B", f
    assert f["Encryption"] == "AES256", f
    assert versions() == [[v2, "current"], [v1, "older"]], versions()
    tag_values = [e.get_attribute("value") for e in browser.find_elements(By.CSS_SELECTOR, "#tags .tag-value")]
    assert tag_values == ["review"], tag_values

    # Tags edited in the page are the object's tags; a value S3 does not
    # allow is refused with the server's code and changes nothing.
    def add_tag(k, v):
        click(browser, "#tag-add")
        browser.find_elements(By.CSS_SELECTOR, "#tags .tag-key")[-1].send_keys(k)
        browser.find_elements(By.CSS_SELECTOR, "#tags .tag-value")[-1].send_keys(v)
        click(browser, "#tags button[type=submit]")

    def tag_set():
        return {t["Key"]: t["Value"] for t in acme.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]}

    add_tag("owner", "finance & <legal>")
    wait_for(browser, "tag refused", lambda d: d.find_element(By.ID, "error").text.startswith("InvalidTag"))
    assert tag_set() == {"stage": "review"}
    wait_for(browser, "tags redrawn", lambda d: len(d.find_elements(By.CSS_SELECTOR, "#tags .tag-key")) == 1)
    add_tag("owner", "finance + legal@eu")
    wait_for(browser, "tags saved", lambda d: len(d.find_elements(By.CSS_SELECTOR, "#tags .tag-key")) == 2 and
             tag_set() == {"stage": "review", "owner": "finance + legal@eu"})

    # The older version made current again: a third version with its
    # bytes and metadata.
    click(browser, "#versions tr[data-version='%s'] button.restore" % v1)
    wait_for(browser, "restored", lambda d: len(versions()) == 3 and versions()[0][1] == "current" and
             versions()[0][0] not in (v1, v2))
    got = acme.get_object(Bucket=bucket, Key=key)
    assert got["Body"].read() == b"first draft" and got["Metadata"] == {"author": "alice"}, got
    assert facts()["Metadata author"] == "alice"

    # Delete the current object: a delete marker; then one version for good.
    click(browser, "#object-delete")
    accept_confirm(browser)
    wait_for(browser, "marker", lambda d: d.find_elements(By.ID, "deleted") and versions()[0][1] == "delete marker")
    click(browser, "#versions tr[data-version='%s'] button.delete-version" % v2)
    accept_confirm(browser)
    wait_for(browser, "version gone", lambda d: v2 not in [v for v, _ in versions()])
    left = acme.list_object_versions(Bucket=bucket, Prefix=key)
    assert sorted(v["VersionId"] for v in left.get("Versions", [])) == sorted(
        v for v, kind in versions() if kind != "delete marker"), left
    assert v2 not in [v["VersionId"] for v in left.get("Versions", [])]
    assert acme.get_object(Bucket=bucket, Key=key, VersionId=v1)["Body"].read() == b"first draft"
    sign_out(browser)


def test_users_keys_and_policies(srv, browser):
    sign_in(browser, srv, ACME_ROOT)
    wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "tenant acme (root)")
    click(browser, "#nav-users")
    wait_for(browser, "users", lambda d: "root" in rows(d, "users", "data-user"))

    def shown_credentials():
        text = browser.find_element(By.CSS_SELECTOR, "#new-credentials pre").text
        return tuple(line.split(": ", 1)[1] for line in text.splitlines())

    # A new user: its first key shown once; it may do nothing yet.
    browser.find_element(By.ID, "user-name").send_keys("carol")
    click(browser, "#create-user button")
    wait_for(browser, "key shown", lambda d: d.find_elements(By.CSS_SELECTOR, "#new-credentials pre"))
    first = shown_credentials()
    assert "carol" in rows(browser, "users", "data-user")
    resp = srv.request("GET", "/", access_key=first[0], secret_key=first[1])
    assert resp.status == 403 and b"AccessDenied" in resp.body, resp.body

    # A policy written in the page: a malformed one refused, a good one
    # takes effect.
    click(browser, "#users tr[data-user='carol'] a")
    wait_for(browser, "user page", lambda d: d.find_elements(By.CSS_SELECTOR, "#new-policy textarea"))
    browser.find_element(By.CSS_SELECTOR, "#new-policy .policy-name").send_keys("read-all")
    area = browser.find_element(By.CSS_SELECTOR, "#new-policy textarea")
    area.clear()
    area.send_keys('{"Version": "2012-10-17", "Statement": [')
    click(browser, "#new-policy button[type=submit]")
    wait_for(browser, "refused", lambda d: d.find_element(By.ID, "error").text.startswith("MalformedPolicy"))
    assert cli(srv, "--json", "policy", "list", "--tenant", "acme", "--user", "carol",
               creds=ACME_ROOT).json()["policies"] == []
    wait_for(browser, "editor back", lambda d: d.find_elements(By.CSS_SELECTOR, "#new-policy textarea"))
    browser.find_element(By.CSS_SELECTOR, "#new-policy .policy-name").send_keys("read-all")
    # The editor starts with an example that allows listing and reading.
    click(browser, "#new-policy button[type=submit]")
    wait_for(browser, "saved", lambda d: d.find_elements(By.CSS_SELECTOR, "#policies form[data-policy='read-all']"))
    stored = json.loads(browser.find_element(By.CSS_SELECTOR, "#policies form[data-policy='read-all'] textarea")
                        .get_attribute("value"))
    assert stored["Statement"][0]["Action"] == ["s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetObject"], stored
    carol = s3(srv, first)
    assert "Buckets" in carol.list_buckets()

    # A second key (shown once), the first disabled, then deleted.
    click(browser, "#create-key")
    wait_for(browser, "second key", lambda d: d.find_elements(By.CSS_SELECTOR, "#new-credentials pre"))
    second = shown_credentials()
    assert second[0] != first[0]
    assert "Buckets" in s3(srv, second).list_buckets()
    click(browser, "#access-keys tr[data-key='%s'] button.disable" % first[0])
    wait_for(browser, "disabled", lambda d: d.find_element(
        By.CSS_SELECTOR, "#access-keys tr[data-key='%s'] td.status" % first[0]).text == "Inactive")
    resp = srv.request("GET", "/", access_key=first[0], secret_key=first[1])
    assert resp.status == 403 and b"InvalidAccessKeyId" in resp.body, resp.body
    click(browser, "#access-keys tr[data-key='%s'] button.delete" % first[0])
    accept_confirm(browser)
    wait_for(browser, "deleted", lambda d: rows(d, "access-keys", "data-key") == [second[0]])

    # Deleting the user removes its keys.
    click(browser, "#delete-user")
    accept_confirm(browser)
    wait_for(browser, "user gone", lambda d: d.find_elements(By.ID, "users") and
             "carol" not in rows(d, "users", "data-user"))
    resp = srv.request("GET", "/", access_key=second[0], secret_key=second[1])
    assert resp.status == 403 and b"InvalidAccessKeyId" in resp.body, resp.body
    sign_out(browser)


def test_bucket_policy_and_incomplete_uploads(srv, browser):
    acme = s3(srv, ACME_ROOT)
    bucket = unique_bucket("policy")
    acme.create_bucket(Bucket=bucket)
    acme.put_object(Bucket=bucket, Key="public/hello.txt", Body=b"hello, world")
    acme.put_object(Bucket=bucket, Key="private/secret.txt", Body=b"secret")
    upload = acme.create_multipart_upload(Bucket=bucket, Key="big/unfinished.bin")["UploadId"]
    acme.upload_part(Bucket=bucket, Key="big/unfinished.bin", UploadId=upload, PartNumber=1, Body=b"x" * 1024)

    def anonymous(key):
        return requests.get("%s/%s/%s" % (srv.endpoint, bucket, key), timeout=10).status_code

    sign_in(browser, srv, ACME_ROOT)
    wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "tenant acme (root)")
    navigate(browser, "#/s/%s" % bucket)
    wait_for(browser, "settings", lambda d: d.find_elements(By.ID, "bucket-policy"))
    assert browser.find_element(By.ID, "bucket-policy").get_attribute("value") == ""
    assert anonymous("public/hello.txt") == 403

    # A policy that does not parse is refused with the server's code.
    browser.find_element(By.ID, "bucket-policy").send_keys('{"Statement": [{"Effect": "Allow"')
    click(browser, "#bucket-policy-form button[type=submit]")
    wait_for(browser, "refused", lambda d: d.find_element(By.ID, "error").text.startswith("MalformedPolicy"))
    assert anonymous("public/hello.txt") == 403

    # Anyone may read public/: that and nothing else.
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::%s/public/*" % bucket}]})
    wait_for(browser, "editor back", lambda d: d.find_element(By.ID, "bucket-policy").get_attribute("value") == "")
    browser.find_element(By.ID, "bucket-policy").send_keys(policy)
    click(browser, "#bucket-policy-form button[type=submit]")
    wait_for(browser, "saved", lambda d: d.find_elements(By.ID, "bucket-policy-delete"))
    assert json.loads(browser.find_element(By.ID, "bucket-policy").get_attribute("value")) == json.loads(policy)
    assert json.loads(acme.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(policy)
    assert anonymous("public/hello.txt") == 200
    assert anonymous("private/secret.txt") == 403
    click(browser, "#bucket-policy-delete")
    wait_for(browser, "removed", lambda d: not d.find_elements(By.ID, "bucket-policy-delete"))
    assert anonymous("public/hello.txt") == 403

    # Lifecycle: a rule added in the page is the bucket's rule; a rule
    # written by another client is kept as it is; both removed again.
    acme.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [{
        "ID": "old-versions", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}]})
    browser.refresh()
    sign_in(browser, srv, ACME_ROOT)
    wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "tenant acme (root)")
    navigate(browser, "#/s/%s" % bucket)
    wait_for(browser, "lifecycle", lambda d: rows(d, "lifecycle", "data-rule") == ["old-versions"])
    browser.find_element(By.ID, "lc-id").send_keys("tmp-cleanup")
    browser.find_element(By.ID, "lc-prefix").send_keys("tmp/")
    browser.find_element(By.ID, "lc-expire").send_keys("7")
    browser.find_element(By.ID, "lc-abort").send_keys("2")
    click(browser, "#lifecycle-form button[type=submit]")
    wait_for(browser, "rule added", lambda d: rows(d, "lifecycle", "data-rule") == ["old-versions", "tmp-cleanup"])
    got = {r["ID"]: r for r in acme.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]}
    assert got["tmp-cleanup"]["Expiration"] == {"Days": 7}, got
    assert got["tmp-cleanup"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 2}, got
    assert got["tmp-cleanup"]["Filter"] == {"Prefix": "tmp/"}, got
    assert got["old-versions"]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30, got
    for rule in ("old-versions", "tmp-cleanup"):
        click(browser, "#lifecycle tr[data-rule='%s'] button.delete" % rule)
        wait_for(browser, "rule removed", lambda d: rule not in rows(d, "lifecycle", "data-rule"))
    wait_for(browser, "no rules", lambda d: d.find_elements(By.ID, "no-lifecycle"))
    assert s3_code(acme.get_bucket_lifecycle_configuration, Bucket=bucket) == (404, "NoSuchLifecycleConfiguration")

    # Server access logs: refused while the target's policy does not let
    # the logging service in, then on, then off again.
    logs = unique_bucket("logs")
    acme.create_bucket(Bucket=logs)
    wait_for(browser, "logging off", lambda d: d.find_element(By.ID, "logging").text.startswith("Off"))
    browser.find_element(By.ID, "logging-target").send_keys(logs)
    browser.find_element(By.ID, "logging-prefix").send_keys("access/")
    click(browser, "#logging-form button[type=submit]")
    wait_for(browser, "refused", lambda d: d.find_element(By.ID, "error").text.startswith("InvalidTargetBucketForLogging"))
    acme.put_bucket_policy(Bucket=logs, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::%s/access/*" % logs}]}))
    wait_for(browser, "form back", lambda d: d.find_element(By.ID, "logging-target").get_attribute("value") == "")
    browser.find_element(By.ID, "logging-target").send_keys(logs)
    browser.find_element(By.ID, "logging-prefix").send_keys("access/")
    click(browser, "#logging-form button[type=submit]")
    wait_for(browser, "logging on", lambda d: d.find_element(By.ID, "logging").text == "Written to %s/access/" % logs)
    assert acme.get_bucket_logging(Bucket=bucket)["LoggingEnabled"] == {"TargetBucket": logs, "TargetPrefix": "access/"}
    click(browser, "#logging-off")
    wait_for(browser, "logging off again", lambda d: d.find_element(By.ID, "logging").text.startswith("Off"))
    assert "LoggingEnabled" not in acme.get_bucket_logging(Bucket=bucket)

    # The unfinished upload, aborted from the page.
    row = "#uploads tr[data-upload='%s']" % upload
    assert browser.find_element(By.CSS_SELECTOR, row).text.startswith("big/unfinished.bin")
    click(browser, row + " button.abort")
    wait_for(browser, "aborted", lambda d: d.find_elements(By.ID, "no-uploads"))
    assert acme.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    sign_out(browser)


def test_user_can_do_what_its_policy_allows(srv, browser, tmp_path):
    cli(srv, "user", "create", "--tenant", "acme", "reader", "--access-key", READER[0], "--secret-key", READER[1],
        creds=ACME_ROOT)
    cli(srv, "policy", "put", "--tenant", "acme", "--user", "reader", "read-only", stdin=READ_ONLY, creds=ACME_ROOT)
    bucket = unique_bucket("reader")
    s3(srv, ACME_ROOT).create_bucket(Bucket=bucket)
    s3(srv, ACME_ROOT).put_object(Bucket=bucket, Key="shared.txt", Body=b"for readers")

    # /whoami is a tenant root's and an operator's: a user signs in
    # through ListBuckets, which its policy allows.
    sign_in(browser, srv, READER)
    wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "user of access key " + READER[0])
    assert not browser.find_element(By.ID, "nav-keys").is_displayed()
    wait_for(browser, "buckets", lambda d: bucket in rows(d, "buckets", "data-bucket"))
    navigate(browser, "#/b/%s/" % bucket)
    wait_for(browser, "objects", lambda d: "shared.txt" in rows(d, "objects", "data-key"))
    # An upload the policy does not allow: the server's refusal, shown.
    path = tmp_path / "denied.txt"
    path.write_bytes(b"not allowed")
    browser.find_element(By.ID, "file").send_keys(str(path))
    wait_for(browser, "refusal shown", lambda d: d.find_element(By.ID, "error").text.startswith("AccessDenied"))
    wait_for(browser, "list redrawn", lambda d: "shared.txt" in rows(d, "objects", "data-key"))
    assert "denied.txt" not in rows(browser, "objects", "data-key")
    assert "Contents" not in s3(srv, ACME_ROOT).list_objects_v2(Bucket=bucket, Prefix="denied.txt")
    sign_out(browser)


def test_tenant_key_managed_in_the_console(srv, browser, tmp_path):
    shred_root = ("SHREDCOCONSOLEROOT01", "shredco-console-root-secret-012345")
    cli(srv, "tenant", "create", "shredco", "--access-key", shred_root[0], "--secret-key", shred_root[1])
    shredco = s3(srv, shred_root)
    bucket = unique_bucket("shredco")
    shredco.create_bucket(Bucket=bucket)
    shredco.put_object(Bucket=bucket, Key="doomed.txt", Body=b"soon unreadable")

    sign_in(browser, srv, shred_root)
    wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "tenant shredco (root)")
    # The log's verifier key, to check the deletion receipt with later.
    navigate(browser, "#/log")
    wait_for(browser, "log key", lambda d: d.find_element(By.ID, "log-key").text.strip())
    (tmp_path / "log.vkey").write_text(browser.find_element(By.ID, "log-key").text.strip() + "\n")

    def fact(name):
        return browser.execute_script(
            "const c = document.querySelector(`#key-facts td[data-fact='${arguments[0]}']`); return c && c.textContent",
            name)

    assert browser.find_element(By.ID, "nav-keys").is_displayed()
    click(browser, "#nav-keys")
    wait_for(browser, "key shown", lambda d: fact("State") == "active" and fact("Version") == "1")

    # Allow the tenant's own requests and the server's upkeep (which the
    # rotation below needs), nothing else.
    keep = {"TENANT_REQUEST", "SYSTEM_MAINTENANCE"}
    for box in browser.find_elements(By.CSS_SELECTOR, "#key-policy input[type=checkbox]"):
        if box.is_selected() != (box.get_attribute("name") in keep):
            box.click()
    click(browser, "#key-policy button")
    wait_for(browser, "policy saved", lambda d: set(cli(srv, "--json", "tenant-key", "show", "shredco",
                                                        creds=shred_root).json()["allowed_justifications"]) == keep)

    # Rotate: a new version, every bucket key rewrapped in the background.
    wait_for(browser, "rotate button", lambda d: d.find_elements(By.ID, "rotate"))
    click(browser, "#rotate")
    deadline = time.monotonic() + WAIT
    while fact("Version") != "2" or "done" not in browser.find_element(By.ID, "rotation").text:
        assert time.monotonic() < deadline, (fact("Version"), browser.find_element(By.ID, "rotation").text)
        time.sleep(0.2)
        navigate(browser, "#/buckets")
        wait_for(browser, "buckets", lambda d: d.find_elements(By.ID, "buckets"))
        click(browser, "#nav-keys")
        wait_for(browser, "key shown", lambda d: fact("Version") is not None)
    assert shredco.get_object(Bucket=bucket, Key="doomed.txt")["Body"].read() == b"soon unreadable"

    # Destroying needs the tenant's name typed; then the data is gone.
    browser.find_element(By.ID, "destroy-confirm").send_keys("shredc0")
    click(browser, "#destroy-key button")
    wait_for(browser, "refused", lambda d: d.find_element(By.ID, "error").text.startswith("InvalidRequest"))
    assert cli(srv, "--json", "tenant-key", "show", "shredco", creds=shred_root).json()["state"] == "active"
    browser.find_element(By.ID, "destroy-confirm").clear()
    browser.find_element(By.ID, "destroy-confirm").send_keys("shredco")
    click(browser, "#destroy-key button")
    wait_for(browser, "receipt", lambda d: d.find_elements(By.ID, "receipt"))
    assert fact("State") == "destroyed"
    receipt = browser.find_element(By.ID, "receipt").get_attribute("textContent")
    assert "\ntenant shredco\nscope tenant\n" in receipt, receipt
    assert cli(srv, "--json", "tenant-key", "show", "shredco", creds=shred_root).json()["state"] == "destroyed"
    resp = srv.request("GET", "/%s/doomed.txt" % bucket, access_key=shred_root[0], secret_key=shred_root[1])
    assert resp.status == 403 and b"was destroyed (crypto-shredded)" in resp.body, resp.body
    (tmp_path / "receipt").write_text(receipt)
    ok = subprocess.run([srv.binary, "log", "verify-receipt", "--key-file", str(tmp_path / "log.vkey"),
                         str(tmp_path / "receipt")], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "of tenant shredco was destroyed" in ok.stdout, ok
    sign_out(browser)
    assert not browser.find_element(By.ID, "nav-keys").is_displayed()


def test_named_kms_keys_in_the_console(srv, browser):
    root = ("KMSCOCONSOLEROOT0001", "kmsco-console-root-secret-0123456789")
    cli(srv, "tenant", "create", "kmsco", "--access-key", root[0], "--secret-key", root[1])
    kmsco = s3(srv, root)
    bucket = unique_bucket("kmsco")
    kmsco.create_bucket(Bucket=bucket)
    sign_in(browser, srv, root)
    wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "tenant kmsco (root)")
    click(browser, "#nav-keys")
    wait_for(browser, "no named key", lambda d: d.find_element(By.ID, "kms-keys").text == "No named key yet.")

    # Created in the console, used from S3 by its alias.
    browser.find_element(By.ID, "kms-key-name").send_keys("payroll")
    browser.find_element(By.ID, "kms-key-description").send_keys("salaries")
    click(browser, "#kms-key-create button")
    wait_for(browser, "key listed", lambda d: d.find_elements(By.CSS_SELECTOR, "#kms-keys tr[data-key=payroll]"))
    row = browser.find_element(By.CSS_SELECTOR, "#kms-keys tr[data-key=payroll]").text
    assert "alias/payroll" in row and "active" in row and "salaries" in row, row
    kmsco.put_object(Bucket=bucket, Key="pay.txt", Body=b"salary", ServerSideEncryption="aws:kms",
                     SSEKMSKeyId="alias/payroll")
    kmsco.put_object(Bucket=bucket, Key="other.txt", Body=b"kept")
    assert kmsco.get_object(Bucket=bucket, Key="pay.txt")["Body"].read() == b"salary"

    # Rotated in the console: version 2 for new objects, the old one still reads.
    version = "#kms-keys tr[data-key=payroll] td.version"
    assert browser.find_element(By.CSS_SELECTOR, version).text == "1"
    click(browser, "#kms-keys tr[data-key=payroll] button.rotate")
    wait_for(browser, "rotated", lambda d: d.find_element(By.CSS_SELECTOR, version).text == "2")
    kmsco.put_object(Bucket=bucket, Key="pay2.txt", Body=b"raise", ServerSideEncryption="aws:kms",
                     SSEKMSKeyId="alias/payroll")
    assert kmsco.get_object(Bucket=bucket, Key="pay.txt")["Body"].read() == b"salary"
    assert kmsco.get_object(Bucket=bucket, Key="pay2.txt")["Body"].read() == b"raise"

    # Destroyed only with its name typed twice; then its objects are gone, the rest kept.
    browser.find_element(By.ID, "kms-key-destroy-name").send_keys("payroll")
    browser.find_element(By.ID, "kms-key-destroy-confirm").send_keys("payrol")
    click(browser, "#kms-key-destroy button")
    wait_for(browser, "refused", lambda d: d.find_element(By.ID, "error").text.startswith("InvalidRequest"))
    assert kmsco.get_object(Bucket=bucket, Key="pay.txt")["Body"].read() == b"salary"
    browser.find_element(By.ID, "kms-key-destroy-confirm").send_keys("l")
    click(browser, "#kms-key-destroy button")
    wait_for(browser, "receipt", lambda d: d.find_elements(By.ID, "receipt"))
    receipt = browser.find_element(By.ID, "receipt").get_attribute("textContent")
    assert "\ntenant kmsco\nscope kms-key payroll\n" in receipt, receipt
    assert "destroyed" in browser.find_element(By.CSS_SELECTOR, "#kms-keys tr[data-key=payroll] td.state").text
    resp = srv.request("GET", "/%s/pay.txt" % bucket, access_key=root[0], secret_key=root[1])
    assert resp.status == 403 and b"KMS key payroll of tenant kmsco was destroyed" in resp.body, resp.body
    assert kmsco.get_object(Bucket=bucket, Key="other.txt")["Body"].read() == b"kept"
    sign_out(browser)


def test_bucket_settings_versioning_and_residency(browser, tmp_path):
    """A server of its own, with two labelled pools beside the default."""
    pools = {}
    text = ""
    for name, jurisdiction in (("fr-paris", "FR"), ("de-frankfurt", "DE")):
        pools[name] = str(tmp_path / "pools" / name)
        text += ('[[pool]]\nname = "%s"\ndirectory = "%s"\njurisdiction = "%s"\nregion = "r-%s"\n'
                 'operator = "test"\n\n' % (name, pools[name], jurisdiction, name))
    (tmp_path / "pools.toml").write_text(text)
    srv = AdminServer(str(tmp_path), extra_args=["--pools", str(tmp_path / "pools.toml"), "--jurisdiction", "FR"])
    srv.start()
    try:
        root = ("RESIDENCYCONSOLEROOT", "residency-console-root-secret-0123")
        cli(srv, "tenant", "create", "resco", "--access-key", root[0], "--secret-key", root[1])
        resco = s3(srv, root)
        bucket = unique_bucket("resco")
        resco.create_bucket(Bucket=bucket)
        resco.put_object(Bucket=bucket, Key="before.bin", Body=os.urandom(200 * 1024))

        sign_in(browser, srv, root)
        wait_for(browser, "signed in", lambda d: d.find_element(By.ID, "who").text == "tenant resco (root)")
        navigate(browser, "#/b/%s/" % bucket)
        wait_for(browser, "settings link", lambda d: d.find_elements(By.ID, "bucket-settings"))
        click(browser, "#bucket-settings")

        def fact(name):
            return browser.execute_script(
                "const c = document.querySelector(`#residency td[data-fact='${arguments[0]}']`);"
                "return c && c.textContent", name)

        def pool_objects():
            return browser.execute_script(
                "const o = {}; document.querySelectorAll('#residency-report tr[data-pool]').forEach("
                "r => o[r.dataset.pool] = Number(r.querySelector('td.objects').textContent)); return o")

        # Versioning, on and off.
        wait_for(browser, "versioning", lambda d: d.find_element(By.ID, "versioning").text == "never enabled")
        click(browser, "#versioning-enabled")
        wait_for(browser, "enabled", lambda d: d.find_element(By.ID, "versioning").text == "Enabled")
        assert resco.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        click(browser, "#versioning-suspended")
        wait_for(browser, "suspended", lambda d: d.find_element(By.ID, "versioning").text == "Suspended")
        assert resco.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"

        # The bucket's own quota: its usage shown, a limit set and kept.
        def quota_text():
            return browser.find_element(By.ID, "bucket-quota-usage").text

        wait_for(browser, "quota", lambda d: quota_text() == "1 objects, 200.0 KiB.")
        browser.find_element(By.ID, "quota-max-objects").send_keys("3")
        click(browser, "#bucket-quota button[type=submit]")
        wait_for(browser, "quota set", lambda d: quota_text() == "1 of 3 objects, 200.0 KiB.")
        quota = cli(srv, "--json", "bucket", "quota", bucket, "--tenant", "resco", creds=root).json()
        assert quota["quota"] == {"max_bytes": 0, "max_objects": 3}, quota
        # The bucket list shows it too, bucket by bucket.
        navigate(browser, "#/buckets")
        cell = "#buckets tr[data-bucket='%s'] td.usage" % bucket
        wait_for(browser, "usage column", lambda d: d.find_elements(By.CSS_SELECTOR, cell) and d.find_element(
            By.CSS_SELECTOR, cell).text == "1 of 3 objects, 200.0 KiB")
        navigate(browser, "#/b/%s/" % bucket)
        wait_for(browser, "settings link", lambda d: d.find_elements(By.ID, "bucket-settings"))
        click(browser, "#bucket-settings")

        # Residency: the object sits in the first FR pool; a DE-only rule
        # makes it misplaced and sends new data to Frankfurt.
        wait_for(browser, "residency", lambda d: fact("Bucket rule") == "none")
        placed = [p for p, n in pool_objects().items() if n]
        assert len(placed) == 1 and placed[0] in ("fr-paris", "local"), pool_objects()
        browser.find_element(By.ID, "jurisdictions").send_keys("de")
        click(browser, "#residency-rule button[type=submit]")
        wait_for(browser, "rule set", lambda d: fact("Bucket rule") == "DE" and fact(
            "New data is written to pool") == "de-frankfurt")
        assert fact("Objects in a pool the rules no longer allow") == "1"
        rule = cli(srv, "--json", "residency", "show", "--tenant", "resco", "--bucket", bucket, creds=root).json()
        assert rule["rule"]["jurisdictions"] == ["DE"], rule

        # Move it: the bytes change pools, and read back the same.
        body = resco.get_object(Bucket=bucket, Key="before.bin")["Body"].read()
        click(browser, "#residency-migrate")
        wait_for(browser, "moved", lambda d: fact("Objects in a pool the rules no longer allow") == "0")
        wait_for(browser, "report", lambda d: pool_objects().get("de-frankfurt") == 1)
        assert not browser.find_elements(By.ID, "residency-migrate")
        assert resco.get_object(Bucket=bucket, Key="before.bin")["Body"].read() == body
        assert any(len(f) for f in os.listdir(pools["de-frankfurt"]) if f != "tmp")

        # A rule no pool satisfies is refused with the server's code.
        browser.find_element(By.ID, "jurisdictions").clear()
        browser.find_element(By.ID, "jurisdictions").send_keys("US")
        click(browser, "#residency-rule button[type=submit]")
        wait_for(browser, "refused", lambda d: d.find_element(By.ID, "error").text.startswith(
            "InvalidLocationConstraint"))
        assert fact("Bucket rule") == "DE"
        click(browser, "#residency-clear")
        wait_for(browser, "cleared", lambda d: fact("Bucket rule") == "none")
        sign_out(browser)
    finally:
        srv.stop_clean()


def test_console_requests_are_logged_once_and_the_page_stayed_clean(srv, browser):
    collect_log(browser)
    srv.stop_clean()
    entries = export_log(srv, "acme")
    console_puts = [e for e in entries if e.get("operation") == "PutObject" and e["key"].startswith("upload-")]
    assert sorted(e["key"] for e in console_puts) == sorted(
        ["upload-report.bin", "upload-rapport été 2026 (v2)+final.txt"]), console_puts
    for e in console_puts:
        assert e["principal"]["access_key_id"] == ACME_ROOT[0] and e["status"] == 200, e
    refused = [e for e in entries if e.get("operation") == "PutObject" and e.get("key") == "denied.txt"]
    assert len(refused) == 1 and refused[0]["status"] == 403 and refused[0]["error"] == "AccessDenied", refused
    assert refused[0]["principal"]["user"] == "reader", refused
    deletes = [e for e in entries if e.get("operation") == "DeleteObject" and e.get("key") == "upload-report.bin"]
    assert len(deletes) == 1, deletes
    actions = [e.get("action") for e in entries if e.get("kind") == "control"]
    assert actions.count("ApproveAccessRequest") == 1 and actions.count("CancelAccessRequest") == 1, actions
    assert actions.count("CreateAccessRequest") == 3 and actions.count("CoSignAccessRequest") == 1, actions
    # The page's own files are not S3 requests: in no log (an anonymous
    # request S3 served would be in the operator log, as bucket _confiance).
    cp = subprocess.run([srv.binary, "log", "export", "--data", srv.data_dir, "--operator"],
                        capture_output=True, text=True, timeout=120)
    assert cp.returncode == 0, cp
    operator_entries = [json.loads(line) for line in cp.stdout.splitlines()]
    assert operator_entries and not [e for e in operator_entries + entries if e.get("bucket") == "_confiance"]
    # No script error, no Content-Security-Policy violation; the only
    # failed loads are the refusals the tests provoked (403: a wrong
    # secret, a policy's denial; 400: a wrong shredding confirmation, a
    # residency rule no pool satisfies; 409: deleting a tenant that owns a
    # bucket) and 404s that are answers: a new log's checkpoint asked for
    # before its first one, the policy or lifecycle of a bucket that has
    # none.
    problems = [m for m in browser.browser_log
                if m["level"] == "SEVERE" and not (m["source"] == "network" and (
                    re.search(r"status of (400|403|409) ", m["message"]) or
                    re.search(r"(/_confiance/log/v1/checkpoint|\?policy=|\?lifecycle=) - .* status of 404 ",
                              m["message"])))]
    assert problems == [], problems
    srv.start()
