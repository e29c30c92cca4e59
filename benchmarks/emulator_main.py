"""`python -m benchmarks.emulator_main ...`: the emulator (`python -m emulator`, same
arguments) with TCP_NODELAY on its sockets.

Without it every answer waits ~40 ms: the server writes headers and body in two sends, and
Nagle's algorithm holds the second until the client's delayed ACK of the first. At a scaled
rate of 20 requests/s per region (50 ms apart) that latency alone would set the pace, and
the benchmark would measure the emulator, not the sync. (Real SES is paced at ~1 request/s,
far above its latency.) The fix belongs in emulator/server.py; this keeps the benchmark
right until it lands.
"""

from __future__ import annotations

import sys

from emulator import server


def main(argv: list[str] | None = None) -> int:
    server.Handler.disable_nagle_algorithm = True
    from emulator.__main__ import main as emulator_main

    return emulator_main(argv)


if __name__ == "__main__":
    sys.exit(main())
