"""The serialiser side by side: stdlib json, orjson and msgspec on one task collection.

``python -m bench.serialisers [N]`` prints, for a collection of N tasks (default 10,000), the time
to encode it compactly and to parse it back, median of several runs, every library in the same run.
"""
import json
import statistics
import sys
import time

from bench.seed import collection


def _candidates():
    found = {"json (stdlib)": (
        lambda doc: json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        json.loads,
    )}
    try:
        import orjson
        found["orjson"] = (orjson.dumps, orjson.loads)
    except ImportError:
        pass
    try:
        import msgspec
        found["msgspec"] = (msgspec.json.encode, msgspec.json.decode)
    except ImportError:
        pass
    return found


def _median_ms(action, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def measure(count, repeat=15):
    """[(library, size in bytes, encode ms, parse ms)] for one collection of ``count`` tasks."""
    document = collection(count)
    rows = []
    for name, (encode, parse) in _candidates().items():
        raw = encode(document)
        assert parse(raw) == document, name
        rows.append((name, len(raw), _median_ms(lambda: encode(document), repeat),
                     _median_ms(lambda: parse(raw), repeat)))
    return rows


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    print(f"Serialisers on {count:,} tasks (median of 15)")
    print(f"{'library':<16}{'bytes':>12}{'encode ms':>12}{'parse ms':>12}")
    for name, size, encode_ms, parse_ms in measure(count):
        print(f"{name:<16}{size:>12,}{encode_ms:>12.2f}{parse_ms:>12.2f}")


if __name__ == "__main__":
    main()
