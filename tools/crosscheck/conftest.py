import os
import sys

# The helpers (reference.py, scenes.py) sit next to the tests.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
