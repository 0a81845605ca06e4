from kaikukanta.core.testing import EVERYONE, SIGNED_IN, PageExample

EXAMPLES = {
    "accounts:login": PageExample(allowed=EVERYONE),
    "accounts:logout": PageExample(allowed=EVERYONE, method="post"),
    "accounts:home": PageExample(allowed=SIGNED_IN),
    "accounts:language": PageExample(allowed=EVERYONE, method="post"),
    "accounts:text_size": PageExample(allowed=EVERYONE, method="post"),
}
