"""`python -m operator_cli`: the same as the installed `participant-data` command."""

import sys

from operator_cli.main import main

sys.exit(main())
