from kaikukanta.testing import EVERYONE, SIGNED_IN, PageExample


def _distributors_token(network):
    return {"token_id": network.users["distributor"].api_tokens.get().pk}


EXAMPLES = {
    "accounts:login": PageExample(allowed=EVERYONE),
    # Callers who have passed the second factor (or need none) are sent on to their page.
    "accounts:second_factor": PageExample(allowed=SIGNED_IN),
    "accounts:logout": PageExample(allowed=EVERYONE, method="post"),
    "accounts:home": PageExample(allowed=SIGNED_IN),
    "accounts:account": PageExample(allowed=SIGNED_IN),
    "accounts:token_revoke": PageExample(allowed={"admin", "coordinator", "distributor"},
                                         kwargs=_distributors_token, method="post"),
    "accounts:second_factor_reset": PageExample(
        allowed={"admin"}, kwargs=lambda network: {"user_id": network.users["coordinator"].pk}, method="post"),
    "accounts:language": PageExample(allowed=EVERYONE, method="post"),
    "accounts:text_size": PageExample(allowed=EVERYONE, method="post"),
}
