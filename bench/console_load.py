#!/usr/bin/env python3
# File: bench/console_load.py
"""How fast the web console comes up and answers, in a real browser:
starts one Confiance (a fresh data directory, plain HTTP on 127.0.0.1) and
headless chromium (Selenium, chromedriver), then ROUNDS times, with the
browser's cache disabled:

  - load: from the navigation's start to the sign-in form drawn (every
    file fetched: index.html, the stylesheet, the modules, config.json);
  - sign-in: from the click to the bucket list drawn (GET /whoami, then
    ListBuckets and the tenant's usage: three requests, each signed in the
    page with SigV4 on Web Crypto);
  - list: from a hash change to a folder of 200 objects drawn
    (ListObjectsV2, one signed request, 200 rows built);

and prints the median and the slowest of each, in milliseconds by the
page's own clock, with the bytes the load transferred.

Usage: bench/console_load.py CONFIANCE_BINARY [ROUNDS]   (ROUNDS <= 50)
Only 127.0.0.1 is used; every wait has a timeout. Needs chromium,
chromium-driver, python3-selenium and python3-boto3 (scripts/install-deps.sh)."""

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import boto3
import botocore.config
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

AK, SK = "CONSOLEBENCHROOTKEY1", "console-bench-root-secret-0123456789"
TIMEOUT = 30


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# In the page: does `action` ("sign-in" with the two keys, or "hash" with
# a fragment), then polls every millisecond until the page is idle
# (<body data-busy> cleared) and `selector` matches `count` elements; the
# milliseconds in between, by the page's own clock (no WebDriver round trip
# in the figure). Written out, not eval'd: the console's CSP forbids eval.
TIMED = """
const [action, a, b, selector, count, done] = arguments;
const t0 = performance.now();
if (action === "sign-in") {
  document.getElementById("access-key").value = a;
  document.getElementById("secret-key").value = b;
  document.getElementById("sign-in").click();
} else {
  location.hash = a;
}
const check = () => {
  if (!("busy" in document.body.dataset) && document.querySelectorAll(selector).length === count) {
    done(performance.now() - t0);
  } else if (performance.now() - t0 > 30000) {
    done(-1);
  } else {
    setTimeout(check, 1);
  }
};
check();
"""


def timed(driver, action, a, b, selector, count=1):
    ms = driver.execute_async_script(TIMED, action, a, b, selector, count)
    if ms < 0:
        sys.exit("the page did not reach %s" % selector)
    return ms


def main():
    binary = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    if not 1 <= rounds <= 50:
        sys.exit("ROUNDS must be 1..50")
    work = tempfile.mkdtemp(prefix="confiance-console-bench-")
    port = free_port()
    endpoint = "http://127.0.0.1:%d" % port
    env = dict(os.environ, CONFIANCE_ROOT_ACCESS_KEY=AK, CONFIANCE_ROOT_SECRET_KEY=SK)
    server = subprocess.Popen([binary, "server", "--data", os.path.join(work, "data"), "--listen",
                               "127.0.0.1:%d" % port], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    driver = None
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                if requests.get(endpoint + "/_confiance/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("server did not start")
            time.sleep(0.05)
        s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=AK, aws_secret_access_key=SK,
                          region_name="us-east-1", config=botocore.config.Config(s3={"addressing_style": "path"}))
        s3.create_bucket(Bucket="bench")
        for i in range(200):
            s3.put_object(Bucket="bench", Key="dir/object-%03d" % i, Body=b"x" * 100)

        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
            options.add_argument(arg)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})

        driver.set_script_timeout(TIMEOUT)
        load, sign_in, listing, transferred = [], [], [], []
        for _ in range(rounds):
            # From the navigation's start (performance.now() == 0) to the
            # sign-in form drawn by the modules.
            driver.get(endpoint + "/_confiance/console/")
            load.append(driver.execute_async_script(
                "const done = arguments[0];"
                "const check = () => document.getElementById('sign-in') ? done(performance.now()) :"
                " setTimeout(check, 1);"
                "check();"))
            transferred.append(driver.execute_script(
                "return performance.getEntriesByType('resource').reduce((n, e) => n + e.transferSize, 0)"
                " + performance.getEntriesByType('navigation')[0].transferSize"))
            sign_in.append(timed(driver, "sign-in", AK, SK, "#buckets tr[data-bucket='bench']"))
            listing.append(timed(driver, "hash", "#/b/bench/dir%2F", "", "#objects tr[data-key]", 200))

        def line(name, values):
            return "%-8s median %7.1f ms   slowest %7.1f ms" % (name, statistics.median(values), max(values))

        print("console_load rounds=%d transferred=%d bytes per load" % (rounds, statistics.median(transferred)))
        print(line("load", load))
        print(line("sign-in", sign_in))
        print(line("list", listing))
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        try:
            server.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
