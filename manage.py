#!/usr/bin/env python3
"""Same as the `pathmark` console script, for those who expect manage.py."""

from pathmark.__main__ import main

if __name__ == "__main__":
    main()
