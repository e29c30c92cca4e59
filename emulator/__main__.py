"""`python -m emulator --port PORT [--scenario FILE] [--dns-port PORT] [--host 127.0.0.1]`."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from emulator import scenario
from emulator.app import App
from emulator.server import make_server
from emulator.testing import start_dns


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m emulator", description="Local Amazon SES endpoint"
    )
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--scenario", help="YAML or JSON scenario file")
    parser.add_argument("--dns-port", type=int, help="also serve the scenario's zones over DNS")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")
    app = App()
    # Bind first: the scenario's verification emails carry links to this server's address.
    server = make_server(app, args.host, args.port)
    try:
        scenario.apply(app, scenario.read(args.scenario) if args.scenario else None)
    except (OSError, ValueError) as exc:
        server.server_close()
        print(f"emulator: bad scenario {args.scenario}: {exc}", file=sys.stderr)
        return 2
    dns = app.dns = start_dns(app.store, args.dns_port) if args.dns_port is not None else None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"emulator listening on http://{args.host}:{server.port}", flush=True)
    if dns is not None:
        print(f"emulator DNS zone server on port {dns.port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if dns is not None:
            dns.stop()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
