"""`python -m gateway`: same as the jobfleet-gateway console script."""

import sys

from gateway.cli import main

sys.exit(main())
