"""`python -m master`: the same as `jobfleet-master`."""

import sys

from master.cli import main

sys.exit(main())
