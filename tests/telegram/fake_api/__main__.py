"""python -m tests.telegram.fake_api --port 0 --token T."""

import sys

from tests.telegram.fake_api.process import main

sys.exit(main())
