"""`python -m generator` runs the same CLI as `agreements`."""

import sys

from generator.cli import main

sys.exit(main())
