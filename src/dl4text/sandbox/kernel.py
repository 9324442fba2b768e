"""A Jupyter kernel manager that starts the kernel inside a :class:`~dl4text.sandbox.bwrap.Sandbox`.

The kernel talks to the executing client over ZMQ ``ipc`` sockets in a folder of the
sandbox's scratch folder (the sandbox has no network, so TCP on its loopback would reach
nothing outside). The kernel command is the kit's own Python with ``ipykernel``, whatever
kernel the notebook's metadata names. Interrupts go as messages (the kernel is in a session
of its own, out of reach of the process-group signal Jupyter would send). The client
refuses any single message over :data:`MAX_MESSAGE_BYTES`, so a kernel that prints a
gigabyte at once cannot grow the grading process.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import typing as t

import psutil
import zmq
import zmq.asyncio
from jupyter_client import AsyncKernelManager
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from traitlets import Any

#: the largest message the client accepts from the kernel (ZMQ drops a larger one)
MAX_MESSAGE_BYTES = 32 * 1024**2


class BoundedKernelClient(AsyncKernelClient):
    """A kernel client whose sockets drop any message over :data:`MAX_MESSAGE_BYTES`."""

    def _context_default(self) -> zmq.asyncio.Context:
        self._created_context = True
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        return context


class SandboxedKernelManager(AsyncKernelManager):
    """Starts ``python -m ipykernel_launcher`` inside ``sandbox`` (None: unsandboxed, same kernel)."""

    sandbox = Any(None, allow_none=True, help="the Sandbox to start the kernel in, or None")

    def __init__(self, **kwargs: t.Any) -> None:
        kwargs.pop("kernel_name", None)  # the notebook's choice of kernel is not followed
        super().__init__(**kwargs)
        self.client_class = "dl4text.sandbox.kernel.BoundedKernelClient"
        self._kernel_spec = KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name="Python 3 (dl4text grading)", language="python", interrupt_mode="message",
            env={}, metadata={})

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The kernel command, wrapped in the sandbox's ``bwrap`` when there is one."""
        argv = super().format_kernel_cmd(extra_arguments)
        return self.sandbox.command(argv) if self.sandbox is not None else argv

    def write_connection_file(self, **kwargs: t.Any) -> None:
        """Write the connection file; as root, give it to the sandbox's user (it holds the key)."""
        super().write_connection_file(**kwargs)
        if self.sandbox is not None and self.sandbox.uid is not None:
            os.chown(self.connection_file, self.sandbox.uid, self.sandbox.uid)

    def sandbox_processes(self) -> list[psutil.Process]:
        """Every process of the kernel's tree (the sandbox and all it started), as seen from here."""
        pid = getattr(self.provisioner, "pid", None)
        if pid is None:
            return []
        try:
            root = psutil.Process(pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    @contextlib.contextmanager
    def paused(self) -> t.Iterator[None]:
        """Stop every process of the sandbox for the block (SIGSTOP), then let them go on."""
        procs = self.sandbox_processes()
        for p in procs:
            try:
                p.suspend()
            except psutil.Error:
                pass
        try:
            yield
        finally:
            for p in procs:
                try:
                    p.resume()
                except psutil.Error:
                    pass

    def kill_sandbox(self) -> None:
        """Kill everything the kernel started; in a PID namespace, killing its init ends them all."""
        procs = self.sandbox_processes()
        for p in reversed(procs):
            try:
                p.kill()
            except psutil.Error:
                pass
        deadline = time.monotonic() + 5
        while any(_running(p) for p in procs) and time.monotonic() < deadline:
            time.sleep(0.02)


def _running(process: psutil.Process) -> bool:
    """True while ``process`` runs (a zombie, dead and waiting for its parent to reap it, does not)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
