"""Build the Maven launcher, then start, wait for and stop real OpenSearch nodes (one JVM each)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LAUNCHER = HERE / "launcher"
TARGET = LAUNCHER / "target"
# Written after a successful build: newer than every source means the build is up to date.
STAMP = TARGET / "searchkit-build.stamp"
MAIN_CLASS = "searchkit.opensearch.Launcher"
HOST = "127.0.0.1"
STATE_FILE = "node.json"  # what `node.py start` leaves in the data folder for `stop` and `status`
COLOURS = ("red", "yellow", "green")

# Flags from the distribution's jvm.options that matter when the node is not started by its scripts.
# log4j's own shutdown hook is off: the launcher's hook closes the node and still logs.
JVM_FLAGS = [
    "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError", "-Dfile.encoding=UTF-8", "-Djava.awt.headless=true",
    "-Djava.locale.providers=SPI,COMPAT", "-Dio.netty.noUnsafe=true", "-Dio.netty.noKeySetOptimization=true",
    "-Dio.netty.recycler.maxCapacityPerThread=0", "-Dlog4j.shutdownHookEnabled=false", "-Dlog4j2.disable.jmx=true",
]


class NodeError(Exception):
    """A build or a node that failed; the message says what happened and shows the relevant output."""


def missing_tools() -> list[str]:
    """The programs that building and running a node needs and that are not on PATH."""
    return [tool for tool in ("java", "mvn") if shutil.which(tool) is None]


def _sources() -> list[Path]:
    return [LAUNCHER / "pom.xml", *sorted(p for p in (LAUNCHER / "src").rglob("*") if p.is_file())]


def is_built() -> bool:
    """True when the last successful build is newer than the pom and every source file."""
    if not STAMP.exists():
        return False
    built = STAMP.stat().st_mtime
    return all(src.stat().st_mtime <= built for src in _sources())


BUILD = ["mvn", "-q", "-B", "clean", "package"]  # clean: no jar of an older version left in target/lib


def build(*, force: bool = False, timeout: float = 900) -> bool:
    """Run ``mvn -q -B clean package`` in the launcher folder unless it is up to date; True if it ran."""
    if is_built() and not force:
        return False
    missing = missing_tools()
    if missing:
        raise NodeError(f"cannot build the OpenSearch launcher: {' and '.join(missing)} not found on PATH")
    try:
        done = subprocess.run(BUILD, cwd=LAUNCHER, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise NodeError(f"building the OpenSearch launcher took more than {timeout:.0f} s ({' '.join(BUILD)})") from exc
    if done.returncode != 0:
        raise NodeError(f"building the OpenSearch launcher failed ({' '.join(BUILD)} in {LAUNCHER}, exit "
                        f"{done.returncode}):\n{_last_lines(done.stdout + done.stderr, 30)}")
    STAMP.touch()
    return True


def classpath() -> str:
    """The launcher's classes and every jar Maven copied beside them."""
    return os.pathsep.join([str(TARGET / "classes"), str(TARGET / "lib" / "*")])


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    return free_ports(1)[0]


def free_ports(k: int) -> list[int]:
    """``k`` distinct free ports (all held open while picking, so none is handed out twice)."""
    socks = [socket.socket() for _ in range(k)]
    try:
        for sock in socks:
            sock.bind((HOST, 0))
        return [int(sock.getsockname()[1]) for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def _last_lines(text: str, n: int) -> str:
    return "\n".join(text.rstrip().splitlines()[-n:])


def _get_json(url: str, timeout: float) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return dict(json.load(response))
    except urllib.error.HTTPError as exc:  # 408 from a health wait that timed out still has the health body
        return dict(json.load(exc))


class Node:
    """One OpenSearch node in its own JVM; its home folder holds config/, data/, logs/ and node.out."""

    def __init__(self, name: str, http_port: int, transport_port: int, data_dir: Path, *, cluster_name: str,
                 seeds: list[str] | None = None, managers: list[str] | None = None, heap: str = "1g",
                 processors: int = 2) -> None:
        """A node not started yet: ``seeds`` (host:transport_port) make it join a cluster, else single-node."""
        self.name = name
        self.http_port = http_port
        self.transport_port = transport_port
        self.home = Path(data_dir).resolve()
        self.cluster_name = cluster_name
        self.seeds = seeds
        self.managers = managers
        self.heap = heap
        self.processors = processors
        self.process: subprocess.Popen[bytes] | None = None
        self.pid: int | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.http_port}"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / f"{self.cluster_name}.log"

    @property
    def out_file(self) -> Path:
        return self.home / "node.out"

    def settings(self) -> dict[str, str]:
        """The node settings passed to the launcher as ``--key=value``."""
        settings = {
            "path.home": str(self.home),
            "path.data": str(self.home / "data"),
            "path.logs": str(self.home / "logs"),
            "network.host": HOST,
            "http.port": str(self.http_port),
            "transport.port": str(self.transport_port),
            "cluster.name": self.cluster_name,
            "node.name": self.name,
            "node.processors": str(self.processors),
            "cluster.routing.allocation.disk.threshold_enabled": "false",
        }
        if self.seeds is None:
            settings["discovery.type"] = "single-node"
        else:
            settings["discovery.seed_hosts"] = ",".join(self.seeds)
            settings["cluster.initial_cluster_manager_nodes"] = ",".join(self.managers or [self.name])
        return settings

    def command(self, *, watch_parent: bool) -> list[str]:
        flags = [f"-Xms{self.heap}", f"-Xmx{self.heap}", *JVM_FLAGS]
        if watch_parent:
            flags.append("-Dsearchkit.exit.on.stdin.eof=true")
        args = [f"--{key}={value}" for key, value in self.settings().items()]
        return ["java", *flags, "-cp", classpath(), MAIN_CLASS, *args]

    def start(self, *, detach: bool = False) -> Node:
        """Start the JVM in the background (again, on the same home, after a stop or a kill).

        Attached (the default), the node's stdin is a pipe from this process: if this process dies,
        the node stops too. Detached, it runs in its own session until someone stops it.
        """
        if self.running():
            raise NodeError(f"the OpenSearch node {self.name} is already running (pid {self.pid})")
        if shutil.which("java") is None:
            raise NodeError(f"cannot start the OpenSearch node {self.name}: java not found on PATH")
        if not is_built():
            build()
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.out_file, "ab") as out:
            self.process = subprocess.Popen(
                self.command(watch_parent=not detach),
                stdin=subprocess.DEVNULL if detach else subprocess.PIPE,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.home,
                start_new_session=True,  # a Ctrl-C meant for the caller does not reach the node
            )
        self.pid = self.process.pid
        return self

    def running(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        return self.pid is not None and _is_launcher(self.pid)

    def health(self, status: str = "green", timeout: float = 1.0) -> dict[str, Any] | None:
        """The cluster health as this node sees it (waiting up to ``timeout`` for ``status``), or None."""
        url = f"{self.url}/_cluster/health?wait_for_status={status}&timeout={max(1, int(timeout))}s"
        try:
            return _get_json(url, timeout + 5)
        except (OSError, ValueError):
            return None

    def wait_for(self, status: str = "green", timeout: float = 120) -> dict[str, Any]:
        """Wait until the cluster health is ``status`` (or better); a NodeError shows the node's log."""
        if status not in COLOURS:
            raise ValueError(f"status must be one of {', '.join(COLOURS)}, not {status!r}")
        deadline = time.monotonic() + timeout
        health: dict[str, Any] | None = None
        while True:
            if not self.running():
                code = self.process.returncode if self.process is not None else None
                raise NodeError(f"the OpenSearch node {self.name} exited (code {code}) before the cluster was "
                                f"{status}\n{self.log_tail()}")
            health = self.health(status, timeout=min(2.0, max(1.0, deadline - time.monotonic())))
            if health and COLOURS.index(health.get("status", "red")) >= COLOURS.index(status):
                return health
            if time.monotonic() >= deadline:
                seen = health.get("status") if health else "no answer"
                raise NodeError(f"the OpenSearch node {self.name} at {self.url} was not {status} after "
                                f"{timeout:.0f} s ({seen})\n{self.log_tail()}")
            if health is None:
                time.sleep(0.5)  # not listening yet: the health call failed at once

    def log_tail(self, n: int = 20) -> str:
        """The last lines of the node's console output (the log file holds the same, minus JVM errors)."""
        text = self.out_file.read_text(encoding="utf-8", errors="replace") if self.out_file.exists() else ""
        if not text.strip():
            return f"(no output in {self.out_file})"
        return f"--- last lines of {self.out_file} (log: {self.log_file}):\n{_last_lines(text, n)}"

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (the launcher closes the node cleanly), then SIGKILL after ``timeout`` seconds."""
        if not self.running():
            self._reap()
            return
        assert self.pid is not None
        os.kill(self.pid, signal.SIGTERM)
        if not self._wait_exit(timeout):
            os.kill(self.pid, signal.SIGKILL)
            self._wait_exit(10)
        self._reap()

    def kill(self) -> None:
        """SIGKILL: the node dies at once, as in a crash; its data folder stays for a restart."""
        if self.running():
            assert self.pid is not None
            os.kill(self.pid, signal.SIGKILL)
            self._wait_exit(10)
        self._reap()

    def _wait_exit(self, timeout: float) -> bool:
        if self.process is not None:
            try:
                self.process.wait(timeout)
                return True
            except subprocess.TimeoutExpired:
                return False
        deadline = time.monotonic() + timeout
        while self.running():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)
        return True

    def _reap(self) -> None:
        if self.process is not None and self.process.stdin is not None:
            self.process.stdin.close()

    def __repr__(self) -> str:
        return f"Node({self.name!r}, {self.url}, pid={self.pid})"


def _is_launcher(pid: int) -> bool:
    """True when ``pid`` is alive and is a searchkit launcher JVM (not a recycled pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return MAIN_CLASS.encode() in cmdline


def start_node(name: str, http_port: int, transport_port: int, data_dir: Path, *, detach: bool = False,
               **options: Any) -> Node:
    """Start one node in the background, not waiting for it; ``options`` as for :class:`Node`
    (``cluster_name``, ``seeds``, ``managers``, ``heap``, ``processors``): single-node unless ``seeds`` are given."""
    return Node(name, http_port, transport_port, data_dir, **options).start(detach=detach)


def start_cluster(n: int, base_dir: Path, *, cluster_name: str = "searchkit-cluster", heap: str = "512m",
                  timeout: float = 180) -> list[Node]:
    """Start ``n`` nodes (``base_dir``/node-1 ...) on free ports, every one cluster-manager eligible; wait for green."""
    build()
    names = [f"node-{i}" for i in range(1, n + 1)]
    free = free_ports(2 * n)
    ports = list(zip(free[::2], free[1::2], strict=True))
    seeds = [f"{HOST}:{transport}" for _, transport in ports]
    nodes: list[Node] = []
    try:
        for name, (http, transport) in zip(names, ports, strict=True):
            nodes.append(start_node(name, http, transport, Path(base_dir) / name, cluster_name=cluster_name,
                                    seeds=seeds, managers=names, heap=heap, processors=1))
        for node in nodes:
            node.wait_for("green", timeout=timeout)
        health = nodes[0].health("green")
        if not health or health.get("number_of_nodes") != n:
            raise NodeError(f"the cluster {cluster_name} has {health and health.get('number_of_nodes')} nodes, not {n}")
    except BaseException:
        for node in nodes:
            node.stop()
        raise
    return nodes


# --- command line: one local node for `make opensearch` -------------------------------------------


def _running_state(data: Path) -> dict[str, Any] | None:
    """What `start` wrote in ``data``, if that node is still running."""
    try:
        state = dict(json.loads((data / STATE_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None
    return state if _is_launcher(state["pid"]) else None


def _port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) == 0


def cli_start(args: argparse.Namespace) -> int:
    data = Path(args.data).resolve()
    state = _running_state(data)
    if state:
        print(f"already running: {state['url']} (pid {state['pid']}, data {data})")
        return 0
    for port in (args.port, args.transport_port):
        if _port_taken(port):
            print(f"error: port {port} on {HOST} is already in use", file=sys.stderr)
            return 2
    if not is_built():
        print(f"building the OpenSearch launcher ({' '.join(BUILD)})...", file=sys.stderr)
        build()
    node = start_node("searchkit-1", args.port, args.transport_port, data, cluster_name="searchkit",
                      heap=args.heap, detach=True)
    (data / STATE_FILE).write_text(json.dumps({"pid": node.pid, "url": node.url}) + "\n", encoding="utf-8")
    try:
        node.wait_for("green", timeout=args.timeout)
    except NodeError:
        node.stop()
        raise
    print(node.url)
    return 0


def cli_stop(args: argparse.Namespace) -> int:
    data = Path(args.data).resolve()
    state = _running_state(data)
    if not state:
        print(f"no OpenSearch node running (data {data})")
        return 0
    node = Node("searchkit-1", 0, 0, data, cluster_name="searchkit")
    node.pid = state["pid"]
    node.stop()
    (data / STATE_FILE).unlink(missing_ok=True)
    print(f"stopped the OpenSearch node at {state['url']} (pid {state['pid']})")
    return 0


def cli_status(args: argparse.Namespace) -> int:
    data = Path(args.data).resolve()
    state = _running_state(data)
    if not state:
        print(f"no OpenSearch node running (data {data})")
        return 1
    try:
        health = _get_json(f"{state['url']}/_cluster/health", timeout=5)
        colour = health.get("status", "unknown")
    except (OSError, ValueError) as exc:
        colour = f"not answering ({exc})"
    print(f"{state['url']} pid {state['pid']}: {colour}")
    return 0


def cli_build(args: argparse.Namespace) -> int:
    ran = build(force=args.force)
    print("built the OpenSearch launcher" if ran else "the OpenSearch launcher is up to date")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="node.py", description="A local OpenSearch node for searchkit.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="build the launcher (mvn clean package) unless it is up to date").add_argument(
        "--force", action="store_true", help="build even when up to date")
    for name, helptext in (("start", "build if needed, start in the background, wait for green, print the URL"),
                           ("stop", "stop the node started with `start`"), ("status", "is it running, which colour")):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("--data", default=".opensearch", help="the node's home and data folder (.opensearch)")
        if name == "start":
            cmd.add_argument("--port", type=int, default=9200, help="HTTP port (9200)")
            cmd.add_argument("--transport-port", type=int, default=9300, help="transport port (9300)")
            cmd.add_argument("--heap", default="1g", help="JVM heap, -Xms and -Xmx (1g)")
            cmd.add_argument("--timeout", type=float, default=180, help="seconds to wait for green (180)")
    args = parser.parse_args(argv)
    handler = {"build": cli_build, "start": cli_start, "stop": cli_stop, "status": cli_status}[args.command]
    try:
        return handler(args)
    except NodeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
