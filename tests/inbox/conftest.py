"""The inbox's tests use the process fixtures: people of both jurisdictions with API tokens, the
`desk` that works tasks through the API, signed-in browsers, the clock and the watched cases."""

from tests.process.conftest import (  # noqa: F401
    browser_for,
    desk,
    signed_in,
    travel,
    watched,
)
