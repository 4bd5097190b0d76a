"""`python -m logagg`: the command, without installing it."""

from logagg.cli import main

raise SystemExit(main())
