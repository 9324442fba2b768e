"""Enter a submission's fence, then exec the grading command (stdlib only, run with ``python -I -S``).

``python -I -S jail.py [--loopback] [--cover DIR --expose PATH...] [--uid N] [--nproc N]
--parent PID -- COMMAND...``

* ``--cover DIR`` / ``--expose PATH`` (inside ``unshare -m``): hide ``DIR`` (say ``/root``,
  which other users cannot enter) under an empty tmpfs, then bind back, read-only, the
  paths below it the grading needs (the Python installation, the data cache);
* ``--loopback``: bring the loopback interface up (run inside ``unshare -n``, where it
  starts down; the kernel and nbgrader talk over 127.0.0.1, nothing else is reachable);
* ``--uid N``: drop every privilege to user and group ``N`` (no supplementary groups), so
  the grading cannot write the gradebook, the course or another submission's folder, nor
  signal the worker; ``--nproc`` then bounds that user's processes (a fork bomb);
* in any case the command is killed when the worker thread that started it dies
  (``PR_SET_PDEATHSIG``), and it runs in a session of its own.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import resource
import signal
import socket
import struct
import sys

SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
PR_SET_PDEATHSIG = 1
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND = 1, 2, 4, 32, 4096


def loopback_up() -> None:
    """Set the ``lo`` interface up in this network namespace."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    enc = [None if x is None else x.encode() for x in (source, target, fstype, data)]
    if libc.mount(enc[0], enc[1], enc[2], ctypes.c_ulong(flags), enc[3]) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} on {target}: {os.strerror(errno)}")


def cover(folders: list[str], exposed: list[str]) -> None:
    """Hide ``folders`` under empty tmpfs mounts; bind ``exposed`` paths back, read-only."""
    fds = {path: os.open(path, os.O_PATH) for path in exposed}  # reachable before the cover
    for folder in folders:
        _mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755")
    for path, fd in fds.items():
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.makedirs(path, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "a").close()
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND)
        _mount("none", path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        os.close(fd)


def drop_to(uid: int, nproc: int) -> None:
    """Become user and group ``uid`` with no other group; bound its number of processes."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if nproc:
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def die_with_parent(parent: int) -> None:
    """Be killed when the parent (thread) goes; exit at once if it already went."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(137)


def main(argv: list[str]) -> None:
    """Parse the options before ``--``, enter the fence, exec the rest."""
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    uid = nproc = parent = 0
    loopback = False
    covers: list[str] = []
    exposed: list[str] = []
    i = 0
    while i < len(options):
        name = options[i]
        if name == "--loopback":
            loopback = True
        elif name in ("--cover", "--expose"):
            i += 1
            (covers if name == "--cover" else exposed).append(options[i])
        elif name in ("--uid", "--nproc", "--parent"):
            i += 1
            value = int(options[i])
            uid, nproc, parent = (value if name == "--uid" else uid, value if name == "--nproc" else nproc,
                                  value if name == "--parent" else parent)
        else:
            raise SystemExit(f"jail: unknown option {name}")
        i += 1
    if loopback:
        loopback_up()
    if covers:
        cover(covers, exposed)
    if uid:
        drop_to(uid, nproc)
    if parent:
        die_with_parent(parent)  # after setuid, which clears the death signal
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
