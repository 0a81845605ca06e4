"""The status page: the national admin's alone."""

from kaikukanta.testing import PageExample

EXAMPLES = {
    "operations:status": PageExample(allowed={"admin"}),
}
