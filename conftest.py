"""Root of the test suite: the shared world and helpers live in `pathmark.testing`."""

pytest_plugins = ["pathmark.testing"]
