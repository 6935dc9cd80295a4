"""Running the map step: a supervised pool of worker processes, or a Dask cluster.

`run_local` forks workers that first run an `init` (the build's loads the dictionaries and
compiles the grammars in each worker, so the parent stays small), sends each one task at a
time, and watches them: a task over its wall-clock budget has its worker killed and replaced and
is reported as a `Failure` (stage "timeout"); a worker that dies (a crash, the OOM killer) is
replaced and its task reported (stage "crash").  Workers die with their parent
(PR_SET_PDEATHSIG), so a killed build leaves no orphans.

`run_dask` maps the same function over a Dask distributed cluster (`tcp://host:8786`), a window of
tasks at a time so that memory stays bounded.

Both yield (task id, result) as results come in, in no particular order.

`Beside` runs one function in a fresh Python process beside the caller (the build draws its viewer
with it while it writes the graph files).
"""
from __future__ import annotations

import ctypes
import itertools
import multiprocessing as mp
import os
import signal
import time
from multiprocessing.connection import wait
from typing import Callable, Iterable, Iterator

from .errors import KGError, one_line
from .model import Failure

_PR_SET_PDEATHSIG = 1
DASK_CONNECT_TIMEOUT = 30   # seconds to reach the scheduler


def die_with_parent() -> None:
    """Linux: get SIGKILL when the parent process dies (no-op elsewhere)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError, TypeError):   # TypeError: Windows has no CDLL(None)
        pass


def _worker(conn, fn, parent: int, init: Callable | None) -> None:
    die_with_parent()
    if os.getppid() != parent:   # the parent died before prctl took effect
        os._exit(0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle
    if init is not None:
        try:
            init()
        except BaseException as e:
            conn.send(("init-failed", one_line(e)))
            return
        conn.send(("ready", None))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        tid, args = msg
        try:
            res = fn(*args)
        except BaseException as e:   # fn reports its own failures; this is the last guard
            res = Failure(str(args[1]) if len(args) > 1 else str(tid), "crash", one_line(e))
        try:
            conn.send((tid, res))
        except (OSError, ValueError) as e:
            conn.send((tid, Failure(str(tid), "crash", f"result could not be sent: {one_line(e)}")))


class _Slot:
    def __init__(self, ctx, fn, init):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, fn, os.getpid(), init), daemon=True)
        self.proc.start()
        child.close()
        self.ready = init is None   # a worker with an init says when it is ready
        self.task = None      # (tid, name)
        self.started = 0.0

    def kill(self) -> None:
        try:
            self.proc.kill()
        except (OSError, ValueError):
            pass
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(2)
        if self.proc.is_alive():
            self.kill()
        else:
            self.conn.close()


def run_local(fn: Callable, tasks: Iterable[tuple[object, tuple]], *, workers: int = 1,
              timeout: float | None = 60.0, name_of: Callable[[tuple], str] = lambda a: str(a[1]),
              init: Callable | None = None) -> Iterator[tuple[object, object]]:
    """Run fn(*args) for each (task id, args) in forked worker processes; yield (task id,
    result or Failure).  `timeout` is the wall-clock budget of one task (None: no budget).
    `init()` runs once in each worker before its first task (not counted in the budget); if
    it raises, KGError.  No worker is started when there is no task."""
    try:
        ctx = mp.get_context("fork")
    except ValueError:   # no fork on this platform
        ctx = mp.get_context("spawn")
    pending = iter(tasks)
    first = next(pending, None)
    if first is None:
        return
    pending = itertools.chain([first], pending)
    slots: list[_Slot] = []
    exhausted = False

    def feed(i: int) -> None:
        """Give slot i the next task, if any (a worker that cannot take it is replaced)."""
        nonlocal exhausted, pending
        s = slots[i]
        if s.task is not None or exhausted or not s.ready:
            return
        nxt = next(pending, None)
        if nxt is None:
            exhausted = True
            return
        tid, args = nxt
        try:
            s.conn.send((tid, args))
        except (OSError, ValueError):   # the worker is gone: a new one takes the task when ready
            s.kill()
            replace(i)
            pending = itertools.chain([nxt], pending)
            return
        s.task = (tid, name_of(args))
        s.started = time.monotonic()

    def replace(i: int) -> None:
        slots[i] = _Slot(ctx, fn, init)

    try:
        slots = [_Slot(ctx, fn, init) for _ in range(max(1, workers))]
        while True:
            for i in range(len(slots)):
                feed(i)
            busy = [s for s in slots if s.task is not None]
            starting = [s for s in slots if not s.ready]
            if not busy and (exhausted or not starting):
                return
            wait_for = None
            if timeout is not None and busy:
                now = time.monotonic()
                wait_for = max(0.0, min(s.started + timeout - now for s in busy))
            live = busy + starting
            ready = wait([s.conn for s in live] + [s.proc.sentinel for s in live], wait_for)
            for i, s in enumerate(slots):
                if not s.ready:
                    if s.conn in ready:
                        try:
                            kind, detail = s.conn.recv()
                        except (EOFError, OSError):
                            kind, detail = "init-failed", f"exit code {s.proc.exitcode}"
                        if kind != "ready":
                            raise KGError(f"a worker process could not start: {detail}")
                        s.ready = True
                        feed(i)
                    elif s.proc.sentinel in ready:
                        raise KGError(f"a worker process died while starting (exit code {s.proc.exitcode})")
                    continue
                if s.task is None:
                    continue
                if s.conn in ready:
                    try:
                        tid, res = s.conn.recv()
                    except (EOFError, OSError):
                        tid, res = None, None
                    if tid is not None:
                        s.task = None
                        feed(i)   # the worker goes on while the caller handles this result
                        yield tid, res
                        continue
                if s.proc.sentinel in ready or not s.proc.is_alive():
                    tid, name = s.task
                    code = s.proc.exitcode
                    s.kill()
                    replace(i)
                    yield tid, Failure(name, "crash", f"the worker process died (exit code {code})")
                elif timeout is not None and time.monotonic() - s.started > timeout:
                    tid, name = s.task
                    s.kill()
                    replace(i)
                    yield tid, Failure(name, "timeout", f"over the per-article budget of {timeout:g} s")
    finally:
        for s in slots:
            if s.task is not None or not s.ready:
                s.kill()
            else:
                s.stop()


# A Beside process starts here: it reads its sys.path and target from stdin, so that it
# imports the same package as its caller, then waits for the arguments; it answers with a
# pickled None or error on a pipe of its own (file descriptor `answer`), small enough to fit the
# pipe's buffer.
_ANSWER_MAX = 8192
_BESIDE_BOOT = ("import pickle, sys; path, target, nice, answer = pickle.load(sys.stdin.buffer); "
                "sys.path[:] = path; import kg.pool; kg.pool._beside_main(target, nice, answer)")


def _function(target: str) -> Callable:
    """"package.module:function" -> the function (its module imported)."""
    import importlib

    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _beside_main(target: str, nice: int, answer: int) -> None:
    import pickle
    import sys

    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle
    if nice:
        try:
            os.nice(nice)
        except (OSError, AttributeError):
            pass
    try:
        fn = _function(target)   # its module is imported now, before the arguments come
        try:
            args = pickle.load(sys.stdin.buffer)
        except EOFError:   # cancelled before it was started
            return
        fn(*args)
        err = None
    except BaseException as e:
        err = e if isinstance(e, KGError) else KGError(one_line(e))
    data = pickle.dumps(err)
    if len(data) > _ANSWER_MAX:   # the parent reads the answer after the exit: it must fit the pipe
        data = pickle.dumps(KGError(one_line(err)[:1000]))
    with os.fdopen(answer, "wb") as f:
        f.write(data)


class Beside:
    """A function run in a fresh Python process beside the caller: `Beside("module:function")`
    starts the process (it imports the module while the caller goes on; the caller need not),
    `start(*args)` calls the function, and `result()` waits for it and raises what it raised
    (as KGError unless it was one); `cancel()` stops it at any point (and does nothing after
    `result()`).

    A fresh process, not a fork, so that it shares no pages with the caller (a fork's would
    count twice in the process tree) and needs nothing of the caller's __main__.  The arguments
    must be picklable.  `nice` lowers its priority (it then loads its code in the time busier
    processes leave).  Where no Python executable is known, or on Windows, the function runs in
    the caller, at start().  Raises KGError if the process cannot be started."""

    def __init__(self, target: str, *, nice: int = 0):
        import pickle
        import subprocess
        import sys

        self.target, self.proc, self.error, self.started, self.done = target, None, None, False, False
        self._answer = -1
        if not sys.executable or os.name == "nt":
            return
        self._answer, w = os.pipe()
        try:
            self.proc = subprocess.Popen([sys.executable, "-c", _BESIDE_BOOT], stdin=subprocess.PIPE,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=(w,))
        except OSError as e:
            os.close(self._answer)
            self._answer = -1
            raise KGError(f"cannot start a helper process ({e.strerror or e})") from None
        finally:
            os.close(w)
        self._send(pickle.dumps((list(sys.path), target, nice, w)), close=False)

    def _send(self, data: bytes, close: bool) -> None:
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
            if close:
                self.proc.stdin.close()
        except OSError:
            pass   # it died: result() says how
        if close:
            self.proc.stdin = None

    def start(self, *args) -> None:
        import pickle

        if self.done:   # cancelled
            return
        self.started = True
        if self.proc is None:
            try:
                _function(self.target)(*args)
            except Exception as e:
                self.error = e if isinstance(e, KGError) else KGError(one_line(e))
            return
        self._send(pickle.dumps(args), close=True)

    def result(self) -> None:
        import pickle

        if not self.started:
            raise KGError("Beside.result() before start()")
        if self.proc is None or self.done:
            if self.error is not None:
                raise self.error
            return
        _, err = self.proc.communicate()
        with os.fdopen(self._answer, "rb") as f:
            out = f.read()
        self._answer, self.done = -1, True
        try:
            answer = pickle.loads(out)
        except Exception:
            last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {self.proc.returncode}"]
            answer = KGError(f"a helper process died ({last[0]})")
        if answer is not None:
            self.error = answer
            raise answer

    def cancel(self) -> None:
        if self.done:
            return
        self.done = True
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stderr):
            if f is not None:
                try:
                    f.close()
                except OSError:
                    pass
        os.close(self._answer)
        self._answer = -1


def run_dask(fn: Callable, tasks: Iterable[tuple[object, tuple]], *, address: str,
             window: int | None = None, timeout: float | None = 60.0,
             name_of: Callable[[tuple], str] = lambda a: str(a[1])) -> Iterator[tuple[object, object]]:
    """The same over a Dask distributed cluster at `address` (workers must have gongan-kg
    installed).  Tasks are sent with their data, so workers need no shared file system."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise KGError("--scheduler needs Dask distributed: pip install 'gongan-kg[cluster]'") from None
    try:
        client = Client(address, timeout=DASK_CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as e:
        raise KGError(f"cannot reach the Dask scheduler at {address}: {e}") from None
    try:
        n = sum(client.nthreads().values()) or 1
        window = window or 4 * n
        pending = iter(tasks)
        running: dict = {}   # future key -> (task id, name, start time)
        ac = as_completed()

        def submit() -> bool:
            nxt = next(pending, None)
            if nxt is None:
                return False
            tid, args = nxt
            fut = client.submit(fn, *args, pure=False, key=f"kg-{tid}-{time.monotonic_ns()}")
            running[fut.key] = (tid, name_of(args), time.monotonic())
            ac.add(fut)
            return True

        for _ in range(window):
            if not submit():
                break
        while not ac.is_empty():
            try:
                fut = next(ac) if timeout is None else _next_within(ac, timeout)
            except TimeoutError:
                for f in list(ac.futures):
                    tid, name, started = running[f.key]
                    if time.monotonic() - started > timeout:
                        del running[f.key]
                        f.cancel()
                        ac.futures.pop(f, None)
                        yield tid, Failure(name, "timeout", f"over the per-article budget of {timeout:g} s")
                        submit()
                continue
            tid, name, _ = running.pop(fut.key)
            try:
                res = fut.result()
            except Exception as e:
                res = Failure(name, "crash", one_line(e))
            yield tid, res
            submit()
    finally:
        client.close()


def _next_within(ac, timeout: float):
    """The next finished future, or TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ac.has_ready() or ac.count() == 0:
            return next(ac)
        time.sleep(0.05)
    raise TimeoutError
