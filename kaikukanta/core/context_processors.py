from kaikukanta.core.navigation import menu_for

TEXT_SIZES = ("normal", "large", "larger")
TEXT_SIZE_COOKIE = "text_size"


def text_size_of(request) -> str:
    size = request.COOKIES.get(TEXT_SIZE_COOKIE, "normal")
    return size if size in TEXT_SIZES else "normal"


PUBLIC_BRAND, STAFF_BRAND = "Kaikukortti", "Kaikukanta"
PUBLIC_NAMESPACES = ("public",)


def brand_of(request) -> str:
    """The card's name on the public's pages (and on an error page for someone not signed in), the
    register's where staff work."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return PUBLIC_BRAND if match.namespace in PUBLIC_NAMESPACES else STAFF_BRAND
    user = getattr(request, "user", None)
    return STAFF_BRAND if user is not None and user.is_authenticated else PUBLIC_BRAND


def page_chrome(request):
    """What every page's frame shows: the text size chosen and the role's menu (none before the second step
    of signing in is done: its pages cannot be opened yet)."""
    from kaikukanta.accounts.selectors import second_factor_pending

    pending = second_factor_pending(request)
    brand = brand_of(request)
    return {"text_size": text_size_of(request), "signing_in": pending, "brand": brand,
            "public_brand": brand == PUBLIC_BRAND,
            "menu": [] if pending else menu_for(request.user, request.path)}
