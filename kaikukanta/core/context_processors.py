from kaikukanta.core.navigation import menu_for

TEXT_SIZES = ("normal", "large", "larger")
TEXT_SIZE_COOKIE = "text_size"


def text_size_of(request) -> str:
    size = request.COOKIES.get(TEXT_SIZE_COOKIE, "normal")
    return size if size in TEXT_SIZES else "normal"


def page_chrome(request):
    """What every page's frame shows: the text size chosen and the role's menu."""
    return {"text_size": text_size_of(request), "menu": menu_for(request.user, request.path)}
