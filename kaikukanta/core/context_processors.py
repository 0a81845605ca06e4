from kaikukanta.core.navigation import menu_for

TEXT_SIZES = ("normal", "large", "larger")
TEXT_SIZE_COOKIE = "text_size"


def text_size_of(request) -> str:
    size = request.COOKIES.get(TEXT_SIZE_COOKIE, "normal")
    return size if size in TEXT_SIZES else "normal"


def page_chrome(request):
    """What every page's frame shows: the text size chosen and the role's menu (none before the second step
    of signing in is done: its pages cannot be opened yet)."""
    from kaikukanta.accounts.selectors import second_factor_pending

    pending = second_factor_pending(request)
    return {"text_size": text_size_of(request), "signing_in": pending,
            "menu": [] if pending else menu_for(request.user, request.path)}
