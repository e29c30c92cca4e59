"""The emulator's authoritative DNS zone server (UDP + TCP) over a ZoneStore.

    handle = start_dns_server(store, port)          # port 0: pick a free one
    ... dig @127.0.0.1 -p handle.port example.com NS  (the "resolver")
    ... dig @127.0.0.2 -p handle.port x._domainkey.example.com CNAME  (a nameserver)
    handle.stop()

One UDP and one TCP listener per address, all on the same port: 127.0.0.1 is the resolver
(public view of delegated zones + nameserver addresses), every other address is the
nameserver(s) of the zones listing it (see dns_answer.py for what each answers). Loopback
addresses 127.0.0.2+ need no setup on Linux. Zones added after start whose nameserver
addresses are new get listeners on `handle.refresh()`.

One thread serves every UDP socket and accepts TCP connections; each TCP connection gets a
short-lived thread (length-prefixed messages until the client closes).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import selectors
import socket
import struct
import threading
from collections.abc import Iterable

from emulator.dns_answer import RESOLVER_ADDRESS, respond, to_wire
from emulator.zones import ZoneStore

log = logging.getLogger(__name__)

_TCP_IDLE_SECONDS = 5.0
_PORT_ATTEMPTS = 30


def _nameserver_addresses(store: ZoneStore) -> list[str]:
    seen: list[str] = []
    for zone in store.zones():
        for ip in zone.nameservers.values():
            if ip not in seen and ip != RESOLVER_ADDRESS:
                seen.append(ip)
    return seen


def _bind_pair(address: str, port: int) -> tuple[socket.socket, socket.socket]:
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        udp.bind((address, port))
        if port == 0:
            port = udp.getsockname()[1]
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind((address, port))
        tcp.listen(64)
    except OSError as exc:
        udp.close()
        tcp.close()
        # Say which address: a scenario nameserver outside 127.0.0.0/8 cannot be bound here.
        raise OSError(exc.errno, f"cannot listen on {address}:{port}: {exc.strerror}") from exc
    udp.setblocking(False)
    tcp.setblocking(False)
    return udp, tcp


class DnsServerHandle:
    """A running zone server: `.port`, `.addresses`, `.refresh()`, `.stop()`."""

    def __init__(
        self, store: ZoneStore, port: int, sockets: dict[str, tuple[socket.socket, socket.socket]]
    ) -> None:
        self.store = store
        self.port = port
        self._sockets = sockets
        self._pending: list[tuple[str, socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._wake_r, selectors.EVENT_READ, ("wake", ""))
        for address, (udp, tcp) in sockets.items():
            self._register(address, udp, tcp)
        self._thread = threading.Thread(target=self._loop, name=f"dns-server:{port}", daemon=True)
        self._thread.start()

    @property
    def addresses(self) -> list[str]:
        with self._lock:
            return list(self._sockets)

    def _register(self, address: str, udp: socket.socket, tcp: socket.socket) -> None:
        self._selector.register(udp, selectors.EVENT_READ, ("udp", address))
        self._selector.register(tcp, selectors.EVENT_READ, ("tcp", address))

    def refresh(self) -> list[str]:
        """Listen on nameserver addresses of zones added since start; returns the new ones."""
        added = []
        for address in _nameserver_addresses(self.store):
            with self._lock:
                if address in self._sockets:
                    continue
                udp, tcp = _bind_pair(address, self.port)
                self._sockets[address] = (udp, tcp)
                self._pending.append((address, udp, tcp))
            added.append(address)
        if added:
            self._wake_w.send(b"x")  # the loop thread owns the selector: let it register them
        return added

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._wake_w.send(b"x")
        self._thread.join(timeout=5)
        self._selector.close()
        with self._lock:
            for udp, tcp in self._sockets.values():
                udp.close()
                tcp.close()
        self._wake_r.close()
        self._wake_w.close()

    def __enter__(self) -> DnsServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving -------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stopping.is_set():
            for key, _ in self._selector.select(timeout=1.0):
                kind, address = key.data
                if kind == "wake":
                    self._wake_r.recv(64)
                    with self._lock:
                        pending, self._pending = self._pending, []
                    for item in pending:
                        self._register(*item)
                    continue
                try:
                    if kind == "udp":
                        self._serve_udp(key.fileobj, address)  # type: ignore[arg-type]
                    else:
                        self._accept(key.fileobj, address)  # type: ignore[arg-type]
                except Exception:
                    # One bad query must not stop the listener every other query relies on.
                    log.exception("dns server: error serving a query on %s", address)

    def _serve_udp(self, sock: socket.socket, address: str) -> None:
        try:
            wire, client = sock.recvfrom(65535)
        except OSError:
            return
        response = respond(self.store, wire, address)
        if response is not None:
            # A client that went away cannot be told anything: drop the send error.
            with contextlib.suppress(OSError):
                sock.sendto(to_wire(response, wire, udp=True), client)

    def _accept(self, sock: socket.socket, address: str) -> None:
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        threading.Thread(target=self._serve_tcp, args=(conn, address), daemon=True).start()

    def _serve_tcp(self, conn: socket.socket, address: str) -> None:
        conn.setblocking(True)
        conn.settimeout(_TCP_IDLE_SECONDS)
        with conn:
            try:
                while True:
                    header = _recv_exactly(conn, 2)
                    if header is None:
                        return
                    wire = _recv_exactly(conn, struct.unpack("!H", header)[0])
                    if wire is None:
                        return
                    response = respond(self.store, wire, address)
                    if response is None:
                        continue  # a "timeout" fault: say nothing, the client gives up
                    out = to_wire(response, wire, udp=False)
                    conn.sendall(struct.pack("!H", len(out)) + out)
            except OSError:
                return


def _recv_exactly(conn: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def start_dns_server(
    store: ZoneStore, port: int = 0, host_addresses: Iterable[str] | None = None
) -> DnsServerHandle:
    """Listen (UDP + TCP) on `port` at 127.0.0.1 and every nameserver address in `store`.

    `host_addresses` replaces that default list. Port 0 picks a port free on every
    address (bind 127.0.0.1:0, reuse the number elsewhere, retry on a clash)."""
    addresses = (
        list(host_addresses)
        if host_addresses is not None
        else [RESOLVER_ADDRESS, *_nameserver_addresses(store)]
    )
    if not addresses:
        raise ValueError("no address to listen on")
    for _ in range(_PORT_ATTEMPTS if port == 0 else 1):
        sockets: dict[str, tuple[socket.socket, socket.socket]] = {}
        chosen = port
        try:
            for address in addresses:
                sockets[address] = _bind_pair(address, chosen)
                chosen = sockets[address][0].getsockname()[1]
        except OSError as exc:
            for udp, tcp in sockets.values():
                udp.close()
                tcp.close()
            if port != 0 or exc.errno != errno.EADDRINUSE:
                raise
            continue
        return DnsServerHandle(store, chosen, sockets)
    raise OSError(
        errno.EADDRINUSE, f"no port free on all of {addresses} after {_PORT_ATTEMPTS} attempts"
    )
