"""Makes this folder importable: the shared helpers and the plugin modules loaded with -p."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from reliability_support import baseline_rss, shared_tmp  # noqa: E402,F401  (fixtures)
