"""The language of API messages: the preferred of fi, sv, en in Accept-Language, else fi."""

from .errors import LANGUAGES


def pick_language(accept_language: str | None) -> str:
    if not accept_language:
        return "fi"
    candidates = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            candidates.append((-quality, position, primary))
    return min(candidates)[2] if candidates else "fi"
