import os
import sys

# The helpers (reference.py, scenes.py) sit next to the tests.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def pytest_terminal_summary(terminalreporter):
    """How much was compared: rows (sequences and combined rows) per mode and the largest difference
    of a ratio between motflow and the reference tool (counts must be equal)."""
    stats = getattr(sys.modules.get("test_crosscheck"), "STATS", None)
    if stats:
        for mode, s in sorted(stats.items()):
            terminalreporter.write_line("crosscheck %s: %d rows compared, max difference %.3g"
                                        % (mode, s["rows"], s["max_diff"]))
