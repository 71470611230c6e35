import sys

from tierdesk.cli import main

sys.exit(main())
