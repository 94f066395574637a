"""Where a py-spy profile's samples went (folded stacks from bench/profile.sh).

    .venv/bin/python bench/profile_top.py PROFILE.folded[.gz] [--under FRAME] [--top N]

Prints the share of samples by area of the server (what a reader of the fan-out path wants
to know: the kernel's write() per recipient, the event loop itself, inbound parsing,
Hubbub's handlers, the store's hand-offs …), then the frames with the most samples of
their own. ``--under FRAME`` (a function name as py-spy prints it, e.g. ``send_message``)
lists that frame's children instead.
"""

from __future__ import annotations

import argparse
import collections
import gzip
from pathlib import Path

# First match wins, scanning a stack from its leaf up: (area, substring of a frame).
AREAS: list[tuple[str, str]] = [
    ("write() to sockets (kernel)", "write (libc"),
    ("store: waking the writer thread", "SimpleQueue_put"),
    ("rate limits (limits library)", "limits/"),
    ("metrics (prometheus_client)", "prometheus_client/"),
    ("outbound: Hubbub's lanes and fan-out", "hubbub/realtime/websocket_lane.py"),
    ("outbound: Hubbub's lanes and fan-out", "hubbub/realtime/engine.py"),
    ("outbound: Hubbub's lanes and fan-out", "hubbub/realtime/emitter.py"),
    ("outbound: engine.io queues and writer", "engineio/async_socket.py"),
    ("inbound: WebSocket parsing (websockets, uvicorn)", "websockets/"),
    ("inbound: WebSocket parsing (websockets, uvicorn)", "uvicorn/protocols"),
    ("inbound: Engine.IO/Socket.IO packets", "engineio/"),
    ("inbound: Engine.IO/Socket.IO packets", "socketio/"),
    ("Hubbub: store", "hubbub/store/"),
    ("Hubbub: actions, policy, dispatch", "hubbub/"),
    ("validation and JSON (pydantic, orjson)", "pydantic"),
    ("asyncio tasks and futures", "asyncio/"),
    ("asyncio tasks and futures", "_asynciomodule"),
    ("event loop (uvloop)", "loop.c"),
    ("event loop (uvloop)", "libuv"),
]


def read(path: Path) -> list[tuple[list[str], int]]:
    opener = gzip.open if path.suffix == ".gz" else open
    stacks = []
    with opener(path, "rt") as lines:
        for line in lines:
            stack, _, count = line.rstrip().rpartition(" ")
            if stack:
                stacks.append((stack.split(";"), int(count)))
    return stacks


def area_of(frames: list[str]) -> str:
    for frame in reversed(frames):
        for area, needle in AREAS:
            if needle in frame:
                return area
    return "other (interpreter, GC)"


def name(frame: str) -> str:
    return frame.split(" (")[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile", type=Path)
    parser.add_argument("--under")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    stacks = read(args.profile)
    total = sum(count for _, count in stacks)
    print(f"{total} samples (the thread holding the GIL, 200 a second)")
    if args.under:
        children: collections.Counter[str] = collections.Counter()
        inside = 0
        for frames, count in stacks:
            names = [name(f) for f in frames]
            if args.under in names:
                at = len(names) - 1 - names[::-1].index(args.under)
                inside += count
                children[names[at + 1] if at + 1 < len(names) else "(itself)"] += count
        print(f"{args.under}: {100 * inside / total:.1f}%")
        for child, count in children.most_common(args.top):
            print(f"  {100 * count / total:5.1f}%  {child}")
        return
    areas: collections.Counter[str] = collections.Counter()
    leaves: collections.Counter[str] = collections.Counter()
    for frames, count in stacks:
        areas[area_of(frames)] += count
        leaves[frames[-1]] += count
    print("\n| area | share of samples |\n|---|--:|")
    for area, count in areas.most_common():
        print(f"| {area} | {100 * count / total:.1f}% |")
    print(f"\nframes with the most samples of their own (top {args.top}):")
    for leaf, count in leaves.most_common(args.top):
        print(f"  {100 * count / total:5.1f}%  {leaf[:140]}")


if __name__ == "__main__":
    main()
