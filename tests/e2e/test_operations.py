"""Running Confiance as a service (docs/operations.md), end to end:
`server --config FILE` (the packaged example configuration starts a server;
the command line overrides the file; an unknown key stops the start with
the file and the key named); a first start whose output is the systemd
journal refuses to generate and print credentials; the packaged systemd
units pass `systemd-analyze verify` without a warning; and
`confiance-backup`, the script the backup timer runs, makes a chain of
incremental backups and keeps the newest N; the server tells systemd
(Type=notify, through a NOTIFY_SOCKET the test listens on) when it is
ready and when it stops, and survives the SIGHUP of `systemctl reload`
without TLS."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time

import pytest
import requests

from adminutil import AdminServer, OPERATOR
from conftest import (ROOT_ACCESS_KEY, ROOT_SECRET_KEY, Server, assert_serves_objects, build_dir, free_port,
                      sanitizer_env, server_binary, unique_bucket)

PACKAGING = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "packaging")


def test_the_example_configuration_starts_a_server_and_the_command_line_overrides_it(tmp_path):
    # The example names /var/lib/confiance and 127.0.0.1:9000; the
    # command line's --data and --listen (Server passes both) win.
    srv = Server(str(tmp_path), extra_args=["--config", os.path.join(PACKAGING, "confiance.toml")])
    srv.start()
    assert_serves_objects(srv, "cfg", b"configured")
    assert os.path.isdir(os.path.join(srv.data_dir, "meta"))
    srv.stop_clean()


def test_a_config_file_sets_options_and_a_wrong_key_stops_the_start(tmp_path):
    config = tmp_path / "confiance.toml"
    config.write_text('no-console = true\nlog-level = "warn"\nidle-timeout = 7\n')
    srv = Server(str(tmp_path), extra_args=["--config", str(config)])
    srv.start()
    assert requests.get(srv.endpoint + "/_confiance/console/", timeout=5).status_code == 404
    srv.stop_clean()
    with open(srv.log_path) as f:
        log = f.read()
    assert " info " not in log, log  # log-level = "warn" took effect

    # The console again: the command line overrides the file's flag.
    srv = Server(str(tmp_path / "2"), extra_args=["--config", str(config), "--no-console=false"])
    os.makedirs(srv.workdir, exist_ok=True)
    srv.start()
    assert requests.get(srv.endpoint + "/_confiance/console/", timeout=5).status_code == 200
    srv.stop_clean()

    for text, says in (('lisen = "127.0.0.1:1"\n', "lisen: no such option"),
                       ('idle-timeout = 0\n', "idle-timeout"),
                       ('listen = \n', "(line 1)")):
        config.write_text(text)
        cp = subprocess.run([server_binary(), "server", "--config", str(config), "--data", str(tmp_path / "never")],
                            capture_output=True, text=True, timeout=30)
        assert cp.returncode == 2, (text, cp)
        assert says in cp.stderr + cp.stdout, (text, cp)
        assert not os.path.exists(tmp_path / "never"), "a refused start created its data directory"


def test_a_first_start_into_the_journal_does_not_print_generated_secrets(tmp_path):
    """systemd sets JOURNAL_STREAM to the device and inode of the stream it
    connected to the journal; a first start that would print generated
    credentials there refuses. With the credentials in the environment, as
    the unit's EnvironmentFile gives them, it starts."""
    data = str(tmp_path / "data")
    out_path = tmp_path / "journal"
    with open(out_path, "wb") as out:
        st = os.fstat(out.fileno())
        env = {"PATH": "/usr/bin:/bin", "JOURNAL_STREAM": "%d:%d" % (st.st_dev, st.st_ino), **sanitizer_env()}
        cp = subprocess.run([server_binary(), "server", "--data", data, "--listen", "127.0.0.1:1"], stdout=out,
                            stderr=subprocess.STDOUT, env=env, timeout=60)
    text = out_path.read_text()
    assert cp.returncode == 1, text
    assert "would be printed into the journal" in text and "EnvironmentFile" in text, text
    assert "secret key" not in text.lower() and "CONFIANCE_SECRET_KEY=" not in text, text

    # The same first start with the credentials given, stdout still the "journal".
    port = free_port()
    with open(tmp_path / "journal2", "wb") as out:
        st = os.fstat(out.fileno())
        env = dict(env, JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino), CONFIANCE_ROOT_ACCESS_KEY=ROOT_ACCESS_KEY,
                   CONFIANCE_ROOT_SECRET_KEY=ROOT_SECRET_KEY, CONFIANCE_OPERATOR_ACCESS_KEY=OPERATOR[0],
                   CONFIANCE_OPERATOR_SECRET_KEY=OPERATOR[1])
        proc = subprocess.Popen([server_binary(), "server", "--data", data, "--listen", "127.0.0.1:%d" % port],
                                stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, (tmp_path / "journal2").read_text()
                try:
                    if requests.get("http://127.0.0.1:%d/_confiance/health" % port, timeout=1).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                assert time.monotonic() < deadline, "no health check"
                time.sleep(0.05)
        finally:
            proc.terminate()
            assert proc.wait(timeout=60) == 0
    text = (tmp_path / "journal2").read_text()
    assert "taken from CONFIANCE_ROOT_ACCESS_KEY" in text and ROOT_SECRET_KEY not in text, text


def test_the_systemd_units_verify_cleanly(tmp_path):
    verify = shutil.which("systemd-analyze")
    if verify is None:
        pytest.skip("systemd-analyze is not installed (scripts/install-deps.sh installs systemd)")
    # The units are written at install time, for the prefix installed to.
    staging = tmp_path / "staging"
    cp = subprocess.run(["cmake", "--install", build_dir(), "--prefix", "/usr/local"], capture_output=True,
                        text=True, timeout=300, env=dict(os.environ, DESTDIR=str(staging)))
    assert cp.returncode == 0, cp
    units = str(staging) + "/usr/local/lib/systemd/system"
    names = ["confiance.service", "confiance-backup.service", "confiance-backup.timer"]
    for name in names:
        text = open(os.path.join(units, name)).read()
        assert "/usr/local/bin/confiance" in text or name.endswith(".timer"), text
        # The installed paths do not exist on a test machine: point them at
        # this build's binary and the source tree's script.
        text = re.sub(r"ExecStart=\S*/confiance-backup", "ExecStart=" + os.path.join(PACKAGING, "confiance-backup"),
                      text)
        text = re.sub(r"ExecStart=\S*/confiance ", "ExecStart=" + os.path.abspath(server_binary()) + " ", text)
        (tmp_path / name).write_text(text)
    cp = subprocess.run([verify, "verify"] + [str(tmp_path / n) for n in names], capture_output=True, text=True,
                        timeout=60, cwd=str(tmp_path))
    assert cp.returncode == 0, cp
    problems = [line for line in (cp.stdout + cp.stderr).splitlines() if line.strip()]
    assert problems == [], problems
    service = (tmp_path / "confiance.service").read_text()
    assert "--config /etc/confiance/confiance.toml" in service and "EnvironmentFile=" in service


def test_the_backup_script_chains_incremental_backups_and_keeps_the_newest(tmp_path):
    srv = AdminServer(str(tmp_path))
    srv.start()
    s3 = srv.client()
    bucket = unique_bucket("bk")
    s3.create_bucket(Bucket=bucket)
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "keepme").mkdir()  # not the script's: never removed
    (backups / "20000101T000000Z.partial").mkdir()  # a backup a crash cut short: removed after a success
    (backups / "29991231T235959Z.partial").mkdir()  # "later" than this run's backups: kept
    env = {"PATH": "/usr/bin:/bin", **sanitizer_env(), "CONFIANCE_BACKUP_DIR": str(backups), "CONFIANCE_BACKUP_KEEP": "2",
           "CONFIANCE_ENDPOINT": srv.endpoint, "CONFIANCE_OPERATOR_ACCESS_KEY": OPERATOR[0],
           "CONFIANCE_OPERATOR_SECRET_KEY": OPERATOR[1], "CONFIANCE_BIN": server_binary(),
           "CONFIANCE_DATA": srv.data_dir}  # the check reads its root key (encrypted metadata)
    script = os.path.join(PACKAGING, "confiance-backup")

    def run(**extra):
        return subprocess.run([script], capture_output=True, text=True, timeout=300, env=dict(env, **extra))

    made = []
    for i in range(3):
        s3.put_object(Bucket=bucket, Key="k%d" % i, Body=os.urandom(200 * 1024 + i))  # blob-backed, not inline
        if made:
            time.sleep(1.1)  # backups are named by the second
        cp = run()
        assert cp.returncode == 0, cp
        assert re.search(r"^verify-backup: 1 buckets, %d objects.*: 0 damaged$" % (i + 1), cp.stdout, re.M), cp.stdout
        name = re.search(r"confiance-backup: (\S+?)(,|$)", cp.stdout, re.M).group(1)
        if made:
            assert "incremental from " + made[-1] in cp.stdout, cp.stdout
        else:
            assert "incremental" not in cp.stdout, cp.stdout
        made.append(name)
    assert "removing " + made[0] in cp.stdout, cp.stdout
    kept = ["keepme", "29991231T235959Z.partial"] + [os.path.basename(m) for m in made[1:]]
    assert sorted(os.listdir(backups)) == sorted(kept)
    third = json.load(open(os.path.join(made[2], "BACKUP.json")))
    assert third["base"] == made[1] and third["blobs_from_base"] == 2, third

    assert run(CONFIANCE_BACKUP_KEEP="0").returncode == 2
    srv.stop_clean()
    failed = run()  # no server: the backup fails, and nothing is removed
    assert failed.returncode != 0, failed
    assert sorted(os.listdir(backups)) == sorted(kept)


def test_cmake_install_places_what_the_units_name(tmp_path):
    """`cmake --install` (into a DESTDIR) installs the binary and the backup
    script where the installed units' ExecStart lines point, the timer, the
    example configuration and the documentation."""
    build = build_dir()
    cache = open(os.path.join(build, "CMakeCache.txt")).read()
    prefix = re.search(r"^CMAKE_INSTALL_PREFIX:PATH=(.*)$", cache, re.M).group(1)
    cp = subprocess.run(["cmake", "--install", build], capture_output=True, text=True, timeout=300,
                        env=dict(os.environ, DESTDIR=str(tmp_path)))
    assert cp.returncode == 0, cp
    root = str(tmp_path)
    units = os.path.join(root + prefix, "lib", "systemd", "system")
    assert sorted(os.listdir(units)) == ["confiance-backup.service", "confiance-backup.timer", "confiance.service"]
    for unit in ("confiance.service", "confiance-backup.service"):
        text = open(os.path.join(units, unit)).read()
        program = re.search(r"^ExecStart=(\S+)", text, re.M).group(1)
        assert program.startswith(prefix + "/"), (unit, program)
        assert os.access(root + program, os.X_OK), (unit, program)
        doc = re.search(r"^Documentation=file://(\S+)", text, re.M).group(1)
        assert os.path.isfile(root + doc), (unit, doc)
    installed = root + re.search(r"^ExecStart=(\S+)", open(os.path.join(units, "confiance.service")).read(),
                                 re.M).group(1)
    assert subprocess.run([installed, "server", "--help"], capture_output=True, timeout=30).returncode == 0
    docs = os.path.join(root + prefix, "share", "doc", "confiance")
    for name in ("LICENSE", "README.md", "operations.md", "backup.md", "examples/confiance.toml"):
        assert os.path.isfile(os.path.join(docs, name)), name


def test_the_server_notifies_systemd_and_survives_a_reload_without_tls(tmp_path):
    path = str(tmp_path / "notify")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    listener.settimeout(60)

    class Notified(Server):
        def env(self):
            e = super().env()
            e["NOTIFY_SOCKET"] = path
            return e

    srv = Notified(str(tmp_path))
    try:
        srv.start()
        ready = listener.recv(4096).decode()
        assert ready.splitlines() == ["READY=1", "STATUS=serving S3 on http://127.0.0.1:%d" % srv.port], ready
        srv.proc.send_signal(signal.SIGHUP)  # what `systemctl reload` sends
        deadline = time.monotonic() + 30
        while "nothing to reload" not in srv.log_tail() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "nothing to reload" in srv.log_tail()
        assert srv.proc.poll() is None, "SIGHUP ended a server without TLS"
        assert requests.get(srv.endpoint + "/_confiance/health", timeout=5).status_code == 200
        assert srv.stop() == 0
        stopping = listener.recv(4096).decode()
        assert stopping.splitlines()[0] == "STOPPING=1", stopping
    finally:
        listener.close()
