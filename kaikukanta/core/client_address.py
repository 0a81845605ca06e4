"""The client's address, as every per-address limit and alert sees it.

Behind reverse proxies the connection's own address (REMOTE_ADDR) is the nearest proxy's, and the client's is
in X-Forwarded-For, to which each proxy appends the address it was connected from. Only the entries the
trusted proxies appended can be believed: anything further left was sent by the client and may be forged.
With `KAIKUKANTA_TRUSTED_PROXIES = N` the client is therefore the Nth entry from the right; with 0 (the
default) the header is ignored.
"""

import ipaddress

from django.conf import settings

# One household or device usually holds a whole IPv6 /64, and can pick any address inside it at will.
IPV6_NETWORK = 64
UNKNOWN = "unknown"


def client_address(request) -> str:
    """The address limits are counted by: the client's IPv4 address, or the /64 network of its IPv6 address.

    Something that is not an address (a misconfigured proxy) becomes "unknown", so that such clients share
    one limit rather than escape it by sending a new string each time."""
    return _normalised(_raw_address(request))


def _raw_address(request) -> str:
    trusted = settings.KAIKUKANTA_TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR") or ""
    if trusted <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < trusted:
        # The request did not come through every trusted proxy, so no entry of the header can be believed.
        return remote
    return forwarded[-trusted]


def _normalised(address: str) -> str:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return UNKNOWN
    if parsed.version == 6:
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return f"{ipaddress.ip_network(f'{parsed}/{IPV6_NETWORK}', strict=False).network_address}/{IPV6_NETWORK}"
    return str(parsed)
