from .navigation import menu_for
from .selectors import second_factor_pending


def page_chrome(request):
    """What every page's frame shows of the user: the role's menu (none before the second step of signing in
    is done: its pages cannot be opened yet)."""
    pending = second_factor_pending(request)
    return {"signing_in": pending, "menu": [] if pending else menu_for(request.user, request.path)}
