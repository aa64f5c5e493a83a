"""The Debian package (docs/operations.md, "The Debian package"), end to
end: `cpack -G DEB` on this build tree makes a package that lintian passes
without an error or a warning; its control fields, its changelog and
`confiance --version` name one version; it holds the binary, the backup
script, the units (in /lib/systemd/system, naming /usr/bin), the manual
pages and the example configuration its postinst copies into /etc; the
extracted binary runs and serves; the units verify. Installing it for real
changes the host (a system user, /etc/confiance, a started service), so the
suite does not: docs/operations.md records that check, made by hand."""

import gzip
import os
import re
import shutil
import subprocess

import pytest

from conftest import Server, assert_serves_objects, build_dir, server_binary

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    out = tmp_path_factory.mktemp("cpack")
    cp = subprocess.run(["cpack", "--config", os.path.join(build_dir(), "CPackConfig.cmake"), "-B", str(out)],
                        capture_output=True, text=True, timeout=900)
    assert cp.returncode == 0, cp
    debs = [f for f in os.listdir(out) if f.endswith(".deb")]
    assert len(debs) == 1, os.listdir(out)
    deb = str(out / debs[0])
    root = out / "root"
    subprocess.run(["dpkg-deb", "-x", deb, str(root)], check=True, timeout=120)
    return deb, str(root)


def field(deb, name):
    return subprocess.run(["dpkg-deb", "-f", deb, name], capture_output=True, text=True, check=True,
                          timeout=60).stdout.strip()


def test_lintian_finds_no_error_and_no_warning(package):
    deb, _ = package
    lintian = shutil.which("lintian")
    assert lintian, "lintian is not installed (scripts/install-deps.sh installs it)"
    cp = subprocess.run([lintian, "--tag-display-limit", "0", deb], capture_output=True, text=True, timeout=600)
    tags = [line for line in cp.stdout.splitlines() if re.match(r"^[EW]: ", line)]
    assert tags == [], cp.stdout + cp.stderr
    assert cp.returncode == 0, cp


def test_one_version_names_the_package_its_changelog_and_the_binary(package):
    deb, root = package
    binary_says = subprocess.run([server_binary(), "--version"], capture_output=True, text=True,
                                 timeout=30).stdout.strip()
    m = re.fullmatch(r"confiance (\d+\.\d+\.\d+)", binary_says)
    assert m, binary_says
    version = m.group(1)
    assert field(deb, "Package") == "confiance"
    assert field(deb, "Version") == version + "-1"
    assert field(deb, "Architecture") == subprocess.run(["dpkg", "--print-architecture"], capture_output=True,
                                                        text=True, check=True).stdout.strip()
    with gzip.open(os.path.join(root, "usr/share/doc/confiance/changelog.Debian.gz"), "rt") as f:
        first = f.readline()
    assert first.startswith("confiance (%s-1) " % version), first
    extracted = subprocess.run([os.path.join(root, "usr/bin/confiance"), "--version"], capture_output=True,
                               text=True, timeout=30)
    assert extracted.stdout.strip() == binary_says, extracted


def test_dependencies_come_from_the_binary_and_the_scripts(package):
    deb, _ = package
    depends = [d.strip().split(" ")[0] for d in field(deb, "Depends").split(",")]
    # adduser for postinst; the others found by dpkg-shlibdeps in the binary.
    for needed in ("adduser", "libc6", "libssl3", "libsystemd0", "libstdc++6"):
        assert needed in depends, depends
    assert not any(d.endswith("-dev") for d in depends), depends


def test_the_package_holds_what_the_service_needs(package):
    deb, root = package
    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True, check=True,
                             timeout=60).stdout
    files = {line.split()[5].lstrip(".") for line in listing.splitlines() if not line.startswith("d")}
    for path in ("/usr/bin/confiance", "/usr/bin/confiance-backup",
                 "/lib/systemd/system/confiance.service", "/lib/systemd/system/confiance-backup.service",
                 "/lib/systemd/system/confiance-backup.timer",
                 "/usr/share/confiance/confiance.toml",  # postinst copies it into /etc/confiance
                 "/usr/share/man/man1/confiance.1.gz", "/usr/share/man/man1/confiance-backup.1.gz",
                 "/usr/share/doc/confiance/copyright", "/usr/share/doc/confiance/operations.md"):
        assert path in files, (path, sorted(files))
    # Nothing in /etc: postinst makes the configuration and the credentials,
    # only where they are absent, so that an upgrade never replaces them.
    assert not any(f.startswith("/etc/") for f in files), sorted(files)
    assert not any("/usr/local" in f for f in files), sorted(files)
    mode = os.stat(os.path.join(root, "usr/bin/confiance")).st_mode & 0o777
    assert mode == 0o755, oct(mode)
    scripts = subprocess.run(["dpkg-deb", "-I", deb], capture_output=True, text=True, check=True,
                             timeout=60).stdout
    for script in ("postinst", "prerm", "postrm"):
        assert re.search(r"\b%s\b" % script, scripts), scripts
    for unit in ("confiance.service", "confiance-backup.service"):
        text = open(os.path.join(root, "lib/systemd/system", unit)).read()
        assert re.search(r"^ExecStart=/usr/bin/confiance", text, re.M), text
        doc = re.search(r"^Documentation=file://(\S+)", text, re.M).group(1)
        assert os.path.isfile(root + doc), doc
    man = subprocess.run(["man", "--warnings", "-l", os.path.join(root, "usr/share/man/man1/confiance.1.gz")],
                         capture_output=True, text=True, timeout=60, env=dict(os.environ, MANPAGER="cat",
                                                                                   MANWIDTH="80"))
    assert man.returncode == 0 and "generate-credentials" in man.stdout and man.stderr == "", man


def test_the_maintainer_scripts_parse(package, tmp_path):
    deb, _ = package
    control = tmp_path / "control"
    subprocess.run(["dpkg-deb", "-e", deb, str(control)], check=True, timeout=60)
    for script in ("postinst", "prerm", "postrm"):
        path = str(control / script)
        assert os.access(path, os.X_OK), script
        cp = subprocess.run(["sh", "-n", path], capture_output=True, text=True, timeout=30)
        assert cp.returncode == 0, (script, cp)


class PackagedServer(Server):
    """A Server of the extracted binary, its environment the credentials file's."""

    def __init__(self, workdir, binary, credentials, extra_args):
        super().__init__(workdir, extra_args=extra_args, access_key=credentials["CONFIANCE_ROOT_ACCESS_KEY"],
                         secret_key=credentials["CONFIANCE_ROOT_SECRET_KEY"])
        self.binary = binary
        self.credentials = credentials

    def env(self):
        return dict(super().env(), **self.credentials)


def test_the_packaged_binary_serves_with_credentials_it_generated(package, tmp_path):
    """What postinst and the unit do, without touching the host: the
    packaged binary writes a credentials file, and a server started with
    that environment and the packaged configuration (its data directory and
    port overridden) serves those credentials."""
    _, root = package
    binary = os.path.join(root, "usr/bin/confiance")
    creds = tmp_path / "credentials.env"
    cp = subprocess.run([binary, "admin", "generate-credentials", str(creds)], capture_output=True, text=True,
                        timeout=60)
    assert cp.returncode == 0, cp
    env = dict(line.split("=", 1) for line in creds.read_text().splitlines() if line and not line.startswith("#"))
    assert all(v not in cp.stdout + cp.stderr for v in env.values())  # the keys only in the file
    assert os.stat(creds).st_mode & 0o777 == 0o600
    again = subprocess.run([binary, "admin", "generate-credentials", str(creds)], capture_output=True, text=True,
                           timeout=60)
    assert again.returncode != 0 and "already exists" in again.stderr, again

    srv = PackagedServer(str(tmp_path), binary, env,
                         extra_args=["--config", os.path.join(root, "usr/share/confiance/confiance.toml")])
    srv.start()
    assert_serves_objects(srv, "deb", b"packaged")
    srv.stop_clean()
    with open(srv.log_path) as f:
        log = f.read()
    assert re.search(r"Confiance \d+\.\d+\.\d+ serving S3", log), log
    assert env["CONFIANCE_ROOT_SECRET_KEY"] not in log and env["CONFIANCE_OPERATOR_SECRET_KEY"] not in log
