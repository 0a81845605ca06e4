from kaikukanta.core.testing import SIGNED_IN, PageExample

EXAMPLES = {
    # Everyone signed in has statistics: the network, an area, or their own site.
    "stats:dashboard": PageExample(allowed=SIGNED_IN),
    "stats:export": PageExample(allowed=SIGNED_IN, kwargs=lambda network: {"table": "month", "fmt": "csv"}),
    # The annual report is an area's (or the network's): coordinators and the national admin.
    "stats:report": PageExample(allowed={"admin", "coordinator", "other_coordinator"}),
}
