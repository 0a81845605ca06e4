TEXT_SIZES = ("normal", "large", "larger")
TEXT_SIZE_COOKIE = "text_size"


def text_size_of(request) -> str:
    size = request.COOKIES.get(TEXT_SIZE_COOKIE, "normal")
    return size if size in TEXT_SIZES else "normal"


def text_size(request):
    """The text size every page's frame is drawn in (normal, large, larger)."""
    return {"text_size": text_size_of(request)}
