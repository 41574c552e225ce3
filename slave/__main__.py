"""`python -m slave`: the same as the `jobfleet-slave` console script."""

import sys

from slave.cli import main

sys.exit(main())
