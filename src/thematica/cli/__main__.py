"""`python -m thematica.cli`: the same as the `thematica` command."""

import sys

from thematica.cli import main

sys.exit(main())
