"""The bubblewrap command line around a student's kernel, and whether this machine can run it.

:class:`Sandbox` turns one grading's scratch folder, the read-only paths the kernel needs and
its environment into a ``bwrap`` command: the system (``/usr``, ``/etc`` ...), the Python
installation, the parts of the kit a kernel may import and the grading's data view
read-only (the installed kit hidden); the scratch folder
writable (``/tmp`` a small tmpfs); nothing else of the machine (no course folder, no
gradebook, no home folder). New user, PID, network, IPC, UTS and cgroup namespaces, its own
``/proc`` and ``/dev``, a new session (no terminal to inject into), killed with its parent.
Inside, ``prlimit`` bounds processes, file size and core dumps; as root, ``setpriv`` first
drops to a user id lent to this sandbox alone (:mod:`dl4text.sandbox.uids`), since root is
exempt from the process bound.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

#: system folders the kernel reads (those that exist here are bound read-only)
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
#: processes and threads of one sandbox (TensorFlow starts a few dozen threads)
NPROC = 512
#: ``/tmp`` inside (a small tmpfs: programs that ignore TMPDIR; it counts as memory)
TMPFS_BYTES = 64 * 1024**2
#: the largest file the kernel may write
FILE_SIZE_BYTES = 4 * 1024**3

INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`; "
                "Fedora: `sudo dnf install bubblewrap`)")


class SandboxUnavailable(RuntimeError):
    """This machine cannot start the sandbox; the message says why and what to change."""


@dataclass
class Sandbox:
    """One kernel's sandbox: what it sees, where it writes, its environment.

    ``box`` is the only writable folder (mounted at its own path; ``/tmp`` is a small tmpfs);
    ``readonly`` paths are bound read-only at their own paths; ``env`` is the whole
    environment of the sandboxed command (nothing of this process's leaks in); ``uid``
    (as root only) is the user id the command runs as.
    """

    box: Path
    cwd: Path
    readonly: list[Path] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    uid: int | None = None
    nproc: int = NPROC
    #: folders inside ``readonly`` ones that the kernel must not see (an empty read-only tmpfs over each)
    hidden: list[Path] = field(default_factory=list)

    def command(self, argv: list[str]) -> list[str]:
        """The ``bwrap ... -- argv`` command line that runs ``argv`` inside the sandbox."""
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            raise SandboxUnavailable(f"bwrap (bubblewrap) is not installed: {INSTALL_HINT}")
        cmd = [bwrap, "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net",
               "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox"]
        if self.uid is None:
            cmd += ["--unshare-user", "--disable-userns"]  # no nested user namespace inside
        else:
            cmd += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
                    "--cap-add", "CAP_SETPCAP"]
        for path in SYSTEM_PATHS:
            cmd += ["--ro-bind-try", path, path]
        cmd += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMPFS_BYTES), "--tmpfs", "/tmp"]
        readonly = _outermost(self.readonly)
        for folder in _parents([*readonly, self.box]):  # bwrap would make them 0700
            cmd += ["--perms", "0755", "--dir", str(folder)]
        for path in readonly:
            cmd += ["--ro-bind", str(path), str(path)]
        for path in self.hidden:
            if Path(path).is_dir() and any(Path(path).is_relative_to(r) for r in readonly):
                cmd += ["--size", "4096", "--tmpfs", str(path), "--remount-ro", str(path)]
        # bwrap's own tmpfs mounts (/ and the folders it made, /dev) read-only: files there would
        # count against no bound; /dev/shm a small tmpfs that any user id may use (multiprocessing)
        cmd += ["--bind", str(self.box), str(self.box), "--remount-ro", "/", "--perms", "1777",
                "--size", str(TMPFS_BYTES), "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
                "--chdir", str(self.cwd), "--clearenv"]
        for name, value in sorted(self.env.items()):
            cmd += ["--setenv", name, value]
        inner = [_tool("prlimit"), f"--nproc={self.nproc}:{self.nproc}",
                 f"--fsize={FILE_SIZE_BYTES}:{FILE_SIZE_BYTES}", "--core=0:0", "--"]
        if self.uid is not None:
            inner = [_tool("setpriv"), f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups",
                     "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--", *inner]
        return [*cmd, "--", *inner, *argv]


def _tool(name: str) -> str:
    path = shutil.which(name, path="/usr/bin:/bin:/usr/sbin:/sbin")
    if path is None:
        raise SandboxUnavailable(f"{name} (util-linux) is not installed: the sandbox needs it")
    return path


def _outermost(paths: list[Path]) -> list[Path]:
    """The paths with every one that lies inside another dropped, in order, existing ones only."""
    resolved = [p for p in dict.fromkeys(Path(p) for p in paths) if p.exists()]
    return [p for p in resolved if not any(p != q and p.is_relative_to(q) for q in resolved)]


def _parents(paths: list[Path]) -> list[Path]:
    """The folders above ``paths`` that the sandbox must create, outermost first (not system ones)."""
    found: set[Path] = set()
    for path in paths:
        for parent in Path(path).parents:
            if parent != Path("/") and not any(parent.is_relative_to(s) for s in SYSTEM_PATHS):
                found.add(parent)
    return sorted(found, key=lambda p: (len(p.parts), str(p)))


def kit_paths() -> list[Path]:
    """What every sandboxed kernel reads: the Python installation and environment.

    Not the installed kit: a kernel gets a copy of the parts it may import
    (:data:`dl4text.kitparts.KERNEL_PARTS`) on its ``PYTHONPATH``, and the installed package
    is hidden (:func:`hidden_kit`) where it lies inside one of these folders.
    """
    paths = [Path(sys.base_prefix), Path(sys.prefix), Path(os.path.realpath(sys.executable)).parent]
    return [p.resolve() for p in paths]


def hidden_kit() -> list[Path]:
    """The installed kit's package folder (inside site-packages unless installed editable)."""
    from dl4text.kitparts import PACKAGE

    return [PACKAGE]


@functools.cache
def check() -> None:
    """Start a trivial sandbox once per process; raise :class:`SandboxUnavailable` with the fix."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dl4text-sandbox-check-") as tmp:
        box = Path(tmp)
        (box / "tmp").mkdir()
        uid = None
        if os.geteuid() == 0:
            from dl4text.sandbox.uids import lend_uid

            with lend_uid() as uid:
                for folder in (box, box / "tmp"):
                    os.chown(folder, uid, uid)
                    os.chmod(folder, 0o755)  # bwrap, root without capabilities, must enter it
                done = _try(Sandbox(box=box, cwd=box, readonly=kit_paths(), uid=uid))
        else:
            done = _try(Sandbox(box=box, cwd=box, readonly=kit_paths(), uid=uid))
    if done.returncode != 0 or done.stdout.strip() != "ok":
        raise SandboxUnavailable(explain((done.stderr or done.stdout).strip()))


def _try(sandbox: Sandbox) -> subprocess.CompletedProcess:
    command = sandbox.command([sys.executable, "-I", "-S", "-c", "print('ok')"])
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(command, 1, "", str(exc))


def explain(error: str) -> str:
    """The reason a sandbox could not start, with what to change on this machine."""
    lines = [f"the grading sandbox (bubblewrap) cannot start here: {error or 'no output'}"]
    if _sysctl("kernel/apparmor_restrict_unprivileged_userns") == "1":
        lines.append("Ubuntu's AppArmor forbids unprivileged user namespaces: allow them with "
                     "`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`, or give bwrap "
                     "an AppArmor profile with `userns` (see /etc/apparmor.d/bwrap-userns-restrict).")
    if _sysctl("kernel/unprivileged_userns_clone") == "0":
        lines.append("unprivileged user namespaces are switched off: "
                     "`sudo sysctl -w kernel.unprivileged_userns_clone=1`.")
    if _sysctl("user/max_user_namespaces") == "0":
        lines.append("user namespaces are switched off: `sudo sysctl -w user.max_user_namespaces=15000`.")
    lines.append("Or grade without the sandbox with --no-sandbox (students' code can then read and "
                 "change everything the grading user can: only for trusted notebooks).")
    return "\n".join(lines)


def _sysctl(name: str) -> str | None:
    try:
        return Path("/proc/sys", name).read_text().strip()
    except OSError:
        return None
