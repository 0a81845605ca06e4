TEXT_SIZES = ("normal", "large", "larger")
TEXT_SIZE_COOKIE = "text_size"


def text_size_of(request) -> str:
    size = request.COOKIES.get(TEXT_SIZE_COOKIE, "normal")
    return size if size in TEXT_SIZES else "normal"


def text_size(request):
    """The text size every page's frame is drawn in (normal, large, larger), and whose name it carries."""
    brand = brand_of(request)
    return {"text_size": text_size_of(request), "brand": brand, "public_brand": brand == PUBLIC_BRAND}


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
